"""The staff dashboard's rules, apart from any web framework: who may see what (by the role
the district's file gives them), how a person signs in from chat, and the figures and
timelines the dashboard draws."""
