package org.mmappickle.py;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Python {@code frozenset}: an immutable set, written back as a frozenset (a Java {@code Set} is
 * written as a Python {@code set}). It equals another {@code PyFrozenSet} with the same elements,
 * never a plain {@code Set}. Iteration follows insertion order; elements may be {@code null}.
 */
public final class PyFrozenSet implements Iterable<Object> {
    private final Set<Object> items;
    // cached as String does (each field is either unset or right, so unsynchronized reads are safe):
    // the set never changes, and a frozenset used as a key would otherwise be hashed again and again
    private int hash;
    private boolean hashIsZero;

    /**
     * Creates a frozenset holding a copy of the elements (duplicates collapse, the first wins).
     *
     * @param items the elements
     */
    public PyFrozenSet(Collection<?> items) {
        this.items = Collections.unmodifiableSet(new LinkedHashSet<>(items));
    }

    /**
     * Creates a frozenset of the given elements.
     *
     * @param items the elements (duplicates are dropped, the first kept)
     * @return the frozenset
     */
    public static PyFrozenSet of(Object... items) {
        return new PyFrozenSet(Arrays.asList(items));
    }

    /**
     * Returns the elements as an unmodifiable set in insertion order.
     *
     * @return the elements as an unmodifiable set in insertion order
     */
    public Set<Object> items() {
        return items;
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
     * Tells whether the set holds an element equal to {@code o}.
     *
     * @param o the object to compare with
     * @return whether the set holds an element equal to {@code o}
     */
    public boolean contains(Object o) {
        return items.contains(o);
    }

    /** Iterates over the elements in insertion order. */
    @Override
    public Iterator<Object> iterator() {
        return items.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PyFrozenSet other && items.equals(other.items);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && !hashIsZero) {
            h = items.hashCode();
            if (h == 0) {
                hashIsZero = true;
            } else {
                hash = h;
            }
        }
        return h;
    }

    /** Returns {@code frozenset({...})} listing the elements. */
    @Override
    public String toString() {
        if (items.isEmpty()) {
            return "frozenset()";
        }
        StringBuilder b = new StringBuilder("frozenset({");
        Iterator<Object> it = items.iterator();
        while (it.hasNext()) {
            b.append(it.next());
            if (it.hasNext()) {
                b.append(", ");
            }
        }
        return b.append("})").toString();
    }
}
