/**
 * numpy's {@code .npy} and {@code .npz} files: {@link org.mmappickle.cli.npy.NpyFile} reads a {@code .npy} file by
 * mapping it and writes the bytes {@code numpy.save} writes; {@link org.mmappickle.cli.npy.NpzFile} reads and
 * writes the zip archives of {@code numpy.savez}.
 */
package org.mmappickle.cli.npy;
