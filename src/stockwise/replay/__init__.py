"""Closed-loop replays of a history: forecast at each review, order by the policy,
receive after the lead time, serve the real demand, and measure the service given.

It sits above the workflows and the inventory engine: :mod:`review_forecasts` makes the
review-day forecasts (with :func:`stockwise.forecast` or any function given), :mod:`loop`
runs one product's days, :mod:`simulation` the products and settings to compare, and
:mod:`metrics` the realised service, stock and waste.
"""
