"""Official statistics read as published: ONS population estimates, Home Office Table C2, and peer comparison."""
