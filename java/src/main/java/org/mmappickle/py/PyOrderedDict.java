package org.mmappickle.py;

import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code collections.OrderedDict}: a {@link LinkedHashMap} that is written back as an
 * OrderedDict rather than a plain {@code dict}. Equality is that of any {@code Map}, as in Python,
 * where an OrderedDict equals a dict with the same items.
 */
public class PyOrderedDict extends LinkedHashMap<Object, Object> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates an empty OrderedDict. */
    public PyOrderedDict() {
    }

    /**
     * Creates an OrderedDict with the entries of a map, in its iteration order.
     *
     * @param items the entries to copy
     */
    public PyOrderedDict(Map<?, ?> items) {
        super(items);
    }
}
