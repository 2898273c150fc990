package org.mmappickle.py;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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

    /** Creates a tuple of the given elements. */
    public static PyTuple of(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        Collections.addAll(l, items);
        return new PyTuple(l);
    }

    /** Returns the number of elements. */
    public int size() {
        return items.size();
    }

    /** Returns the element at an index. */
    public Object get(int index) {
        return items.get(index);
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
