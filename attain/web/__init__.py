"""Web helpers shared by every app: form widgets, running a service from a form, generic
views and API mixins. The lowest app layer: it imports Django and DRF only."""
