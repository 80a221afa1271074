"""How the programme is doing: the admin dashboard's figures and their charts."""
