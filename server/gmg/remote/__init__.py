"""gmg in front of a remote triple store: publish the graphs into it, then serve from it.

`endpoints.py` (its URLs and credentials), `publish.py` (`gmg publish`: the Graph
Store Protocol), `dataset.py` (gmg's dataset rules as protocol parameters),
`store.py` (`RemoteStore`: the engine's interface over the SPARQL 1.1 Protocol).
"""


def remote_store(settings):
    """The RemoteStore the settings name (--store-url and its companions), with the server's limits."""
    from .endpoints import Endpoints, read_credentials
    from .store import RemoteStore

    endpoints = Endpoints.from_query_url(settings.store_url, settings.update_url, settings.graph_store_url)
    return RemoteStore(endpoints, read_credentials(settings.store_credentials), timeout=settings.query_timeout,
                       max_active=settings.max_active_queries, max_waiting=settings.max_queued_queries,
                       queue_timeout=settings.queue_timeout, updates=bool(settings.update_token))
