package org.mmappickle.codec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.WeakHashMap;

/**
 * The built-in codecs, the codecs found by {@link ServiceLoader}, and the order in which a dict
 * tries them.
 *
 * <pre>{@code
 * // the defaults plus a codec of the program's own, without ServiceLoader
 * List<ValueCodec> codecs = new ArrayList<>(Codecs.defaults());
 * codecs.add(new SparseMatrixCodec());
 * MmapDict.open(path, new MmapDict.Options().codecs(codecs));
 * }</pre>
 */
public final class Codecs {
    private static final Map<ClassLoader, List<ValueCodec>> DISCOVERED = new WeakHashMap<>();
    private static final System.Logger LOG = System.getLogger(Codecs.class.getName());

    private Codecs() {
    }

    /**
     * Returns the shared {@link GenericCodec}.
     *
     * @return the generic codec
     */
    public static ValueCodec generic() {
        return GenericCodec.INSTANCE;
    }

    /**
     * Returns the shared {@link NDArrayCodec}.
     *
     * @return the array codec
     */
    public static ValueCodec arrays() {
        return NDArrayCodec.INSTANCE;
    }

    /**
     * Returns the shared {@link MaskedArrayCodec}.
     *
     * @return the masked array codec
     */
    public static ValueCodec maskedArrays() {
        return MaskedArrayCodec.INSTANCE;
    }

    /**
     * Returns the built-in codecs: masked arrays, arrays, generic values.
     *
     * @return an unmodifiable list
     */
    public static List<ValueCodec> builtIns() {
        return List.of(MaskedArrayCodec.INSTANCE, NDArrayCodec.INSTANCE, GenericCodec.INSTANCE);
    }

    /**
     * Returns the codecs that {@code ServiceLoader.load(ValueCodec.class)} finds through the
     * current thread's context class loader (jars on the class path with a
     * {@code META-INF/services/org.mmappickle.codec.ValueCodec} file, modules that provide the
     * service). They are looked up once per class loader and shared; a provider that fails to load
     * is skipped with a warning in the log.
     *
     * @return an unmodifiable list, in the order the loader gives
     */
    public static List<ValueCodec> discovered() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ClassLoader key = loader != null ? loader : ClassLoader.getSystemClassLoader();
        synchronized (DISCOVERED) {
            List<ValueCodec> found = DISCOVERED.get(key);
            if (found == null) {
                found = load(loader);
                DISCOVERED.put(key, found);
            }
            return found;
        }
    }

    private static List<ValueCodec> load(ClassLoader loader) {
        List<ValueCodec> out = new ArrayList<>();
        Iterator<ValueCodec> it = ServiceLoader.load(ValueCodec.class, loader).iterator();
        for (int failures = 0; failures < 100; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ValueCodec c = it.next();
                if (!builtIns().stream().anyMatch(b -> b.getClass() == c.getClass())) {
                    out.add(c);
                }
            } catch (ServiceConfigurationError e) {
                failures++;
                LOG.log(System.Logger.Level.WARNING, "skipping a value codec that failed to load: {0}", e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Returns what a dict uses unless told otherwise: the built-ins and the discovered codecs.
     *
     * @return a new list
     */
    public static List<ValueCodec> defaults() {
        List<ValueCodec> out = new ArrayList<>(builtIns());
        out.addAll(discovered());
        return out;
    }

    /**
     * Returns codecs in the order a dict tries them: decreasing priority, codecs of equal priority
     * in the given order.
     *
     * @param codecs the codecs (no nulls)
     * @return an unmodifiable list
     */
    public static List<ValueCodec> inPriorityOrder(Collection<? extends ValueCodec> codecs) {
        List<ValueCodec> out = new ArrayList<>(codecs);
        out.sort(Comparator.comparingInt(ValueCodec::priority).reversed());   // List.sort is stable
        return List.copyOf(out);
    }
}
