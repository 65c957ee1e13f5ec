"""Police outreach: priorities, shift plans with ordered routes, the visit log and follow-up tasks."""
