"""Closed-loop replays of a history: forecast at each review, order by the policy,
receive after the lead time, serve the real demand, and measure the service given.

It sits above the workflows and the inventory engine: :mod:`review_forecasts` makes the
review-day forecasts (with :func:`stockwise.forecast` or any function given), :mod:`loop`
runs one product's days over a :mod:`history` and its :mod:`lots`, :mod:`simulation`
replays one configuration (:mod:`config`) or several, :mod:`comparison` is the use case
of ``stockwise replay`` (policies, sources and service levels in days), and
:mod:`metrics` the realised service, stock and waste.
"""
