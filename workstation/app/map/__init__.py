"""The map view: canvas, layers, classification, legend and scale bar.

``classify``, ``metrics`` and ``data`` are Qt-free; the rest is Qt (pyqtgraph)."""
