"""The studio's logic that is not a page: control values, curves for charts, figures."""
