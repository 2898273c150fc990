package org.mmappickle.py;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Python {@code tuple}: an immutable sequence, written back as a tuple (a Java {@code List} is
 * written as a Python {@code list}). Elements may be {@code null} (Python {@code None}).
 *
 * @param items the elements, in order (an unmodifiable copy)
 */
public record PyTuple(List<Object> items) {
    /** Creates a tuple holding an unmodifiable copy of the items. */
    public PyTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    /**
     * Creates a tuple of the given elements.
     *
     * @param items the elements, in order
     * @return the tuple
     */
    public static PyTuple of(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        Collections.addAll(l, items);
        return new PyTuple(l);
    }

    /**
     * Returns the number of elements.
     *
     * @return the number of elements
     */
    public int size() {
        return items.size();
    }

    /**
     * Returns the element at an index.
     *
     * @param index the position, from 0
     * @return the element at an index
     */
    public Object get(int index) {
        return items.get(index);
    }

    /**
     * Compares the elements. Written out (not the record's generated method) so that comparing deeply
     * nested tuples takes few stack frames per level.
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof PyTuple t) || t.items.size() != items.size()) {
            return false;
        }
        for (int i = 0; i < items.size(); i++) {
            if (!Objects.equals(items.get(i), t.items.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Returns the hash code of the list of elements (see {@link #equals(Object)} for why it is written out). */
    @Override
    public int hashCode() {
        int h = 1;
        for (Object o : items) {
            h = 31 * h + Objects.hashCode(o);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(items.get(i));
        }
        return b.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
