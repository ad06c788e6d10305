"""gmg: global migration governors as linked data.

The package is a pipeline of small stages, each a module with a plain function
API (see README "Architecture"): sources -> validate -> store -> web, with the
CLI (gmg.cli) and the web app (gmg.web) as thin shells over them.
"""

__version__ = "0.1.0"
