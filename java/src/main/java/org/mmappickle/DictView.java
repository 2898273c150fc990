package org.mmappickle;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@code Map} view of an {@link MmapDict}, its key set or its entry set: iteration walks a snapshot of the keys in
 * file order and makes each an element when it is reached (a key removed meanwhile is skipped), and removal writes
 * through to the file.
 *
 * @param <E> the element type
 */
class DictView<E> extends AbstractSet<E> {
    private final MmapDict dict;
    private final Supplier<? extends Iterable<String>> keys;
    /** Makes a key an element, or null when the key was removed since the snapshot. */
    private final Function<String, E> element;

    private DictView(MmapDict dict, Supplier<? extends Iterable<String>> keys, Function<String, E> element) {
        this.dict = dict;
        this.keys = keys;
        this.element = element;
    }

    /** Returns the key set of the dict, whose {@code contains} and {@code remove} go to the dict directly. */
    static Set<String> keySet(MmapDict dict, Supplier<? extends Iterable<String>> keys) {
        return new DictView<>(dict, keys, k -> k) {
            @Override
            public boolean contains(Object o) {
                return dict.containsKey(o);
            }

            @Override
            public boolean remove(Object o) {
                return o instanceof String k && dict.delete(k);
            }
        };
    }

    /** Returns the entry set of the dict, whose iteration reads each value when it is reached. */
    static Set<Map.Entry<String, Object>> entrySet(MmapDict dict, Supplier<? extends Iterable<String>> keys) {
        return new DictView<>(dict, keys, k -> {
            Object v = dict.get(k);
            return v != null || dict.containsKey(k) ? new SimpleImmutableEntry<>(k, v) : null;
        });
    }

    @Override
    public Iterator<E> iterator() {
        Iterator<String> it = keys.get().iterator();
        return new Iterator<>() {
            private E next;
            private String nextKey;
            private String last;

            @Override
            public boolean hasNext() {
                while (next == null && it.hasNext()) {
                    nextKey = it.next();
                    next = element.apply(nextKey);
                }
                return next != null;
            }

            @Override
            public E next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                E e = next;
                next = null;
                last = nextKey;
                return e;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                dict.delete(last);
                last = null;
            }
        };
    }

    @Override
    public int size() {
        return dict.size();
    }
}
