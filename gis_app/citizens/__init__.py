"""Citizens: report an unsafe place without an account, its moderation, and what the public may see."""
