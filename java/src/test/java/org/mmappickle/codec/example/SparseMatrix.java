package org.mmappickle.codec.example;

import java.util.Objects;
import org.mmappickle.NDArray;

/**
 * A sparse matrix in compressed sparse row form, as {@code scipy.sparse.csr_matrix} keeps it: the
 * non-zero values of row {@code r} are {@code data[indptr[r] .. indptr[r+1]]}, in the columns
 * {@code indices[indptr[r] .. indptr[r+1]]}. Read from a file by {@link SparseMatrixCodec}, the
 * three arrays are views of the file's memory map.
 *
 * @param rows the number of rows
 * @param cols the number of columns
 * @param data the non-zero values (1-D, any numeric dtype)
 * @param indices the column of each value (1-D integers, as long as data)
 * @param indptr where each row starts in data (1-D integers, rows + 1 of them)
 */
public record SparseMatrix(long rows, long cols, NDArray data, NDArray indices, NDArray indptr) {
    /** Checks the arrays' shapes. */
    public SparseMatrix {
        Objects.requireNonNull(data);
        Objects.requireNonNull(indices);
        Objects.requireNonNull(indptr);
        if (rows < 0 || cols < 0 || data.ndim() != 1 || indices.ndim() != 1 || indptr.ndim() != 1
                || data.size() != indices.size() || indptr.size() != rows + 1) {
            throw new IllegalArgumentException("not a CSR matrix: " + rows + "x" + cols + ", data " + data.size()
                    + ", indices " + indices.size() + ", indptr " + indptr.size());
        }
    }

    /** Returns the element at a row and column (0 where none is stored), as a double. */
    public double get(long row, long col) {
        for (long k = indptr.getLong(row); k < indptr.getLong(row + 1); k++) {
            if (indices.getLong(k) == col) {
                return data.getDouble(k);
            }
        }
        return 0;
    }
}
