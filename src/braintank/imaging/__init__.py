"""Reading images: files and arrays as grey [0, 1], and a digit made 28x28 the MNIST way.

`braintank.imaging.images` decodes image files (every page of a multi-page TIFF) and arrays;
`braintank.imaging.preprocess` converts a grey digit image the way MNIST itself was made
(`to_mnist`). Below both the digit reader (`inference`) and the sheet reader (`sheets`); it
depends only on `data.mnist_frame`, errors and fileio.
"""
