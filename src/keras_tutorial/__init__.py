"""The Keras tutorial's package: what the chapters share, and the code they teach.

Importing a module changes nothing about the process; a chapter starts with one explicit call,
:func:`keras_tutorial.settings.start_chapter` (or :func:`keras_tutorial.settings.configure`).

Shared helpers
    ``settings``   start_chapter/configure, command-line flags, seeds, the backend summary
    ``data``       ``load_mnist()``: MNIST from MNIST_PATH, the Keras cache or a checked download
    ``plotting``   figures shown inline in Jupyter and saved to ``--out`` from a terminal
    ``files``      ``atomic_path()``: a failed write never leaves half a file
    ``errors``     ``TutorialError``: learner errors in Chinese and English, without a traceback
    ``exercises``  ``check("chNN.k", answer)`` and the checkers of every chapter's 练习
    ``explain``    after a learner's error: the likely cause, the fix and the section, in Chinese
    ``project``    where the checkout's chapters, notebooks and package are
    ``quiet_tensorflow``  TensorFlow's start-up log lines kept off the screen
    ``quick_exit`` no second of clean-up at exit after TensorFlow (``gc.freeze()`` at exit)
    ``imports``    ``after_import()``: set up a library (seed Keras) only once a chapter imports it
    ``gpu``        the one nvidia-smi call and the CUDA build table (``gpu_builds.tsv``)
    ``fonts/``     the bundled Chinese font for figures (a subset of Noto Sans CJK SC)

Code generated from the chapters (cells marked ``# @save``; edit the chapter, then ``make lib``)
    ``ch01``       ``build_model()``: chapter 1's network, compiled as the book does
    ``ch02``       ``describe()``
    ``ch03``       the naive loops: relu, add, broadcast add, vector/matrix dot products
    ``ch04``       gradient descent, mini-batch SGD, momentum and RMSprop
    ``ch05``       the NumPy network: initialisation, forward pass, loss, backward pass, training
    ``ch06``       ``data_parallel_scope()``: DataParallel (JAX) or MirroredStrategy (TensorFlow)

Commands
    ``python -m keras_tutorial.doctor``   is the environment (and the GPU) ready?
    ``python -m keras_tutorial.lab``      JupyterLab on 127.0.0.1 with a token (``make lab``)

Checkout-only tools (the notebook builder, the ``# @save`` collector, the op-timing report) live in
``tools/`` beside the package, and ``make bench`` in ``benchmarks/``.
"""

__version__ = "0.1.0"
