"""Safety walks (trygghetsvandringar): planning, the route, field capture (offline too) and the protocol."""
