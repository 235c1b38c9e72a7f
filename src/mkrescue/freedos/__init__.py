"""FreeDOS files: where they come from (a user's directory, or packages downloaded,
verified and cached) and which of them a rescue medium uses."""
