"""gmg in front of a remote triple store: publish the graphs into it, then serve from it.

`endpoints.py` (its URLs and credentials), `publish.py` (`gmg publish`: the Graph
Store Protocol), `dataset.py` (gmg's dataset rules as protocol parameters),
`store.py` (`RemoteStore`: the engine's interface over the SPARQL 1.1 Protocol).
"""
