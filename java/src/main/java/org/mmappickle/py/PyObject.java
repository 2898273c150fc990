package org.mmappickle.py;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Python object this library does not convert to a Java type, kept as the recipe pickle used to
 * build it, so that writing it back produces an equivalent object. It is one of:
 * <ul>
 *   <li>{@link Kind#GLOBAL}: a bare reference to {@code module.name}, such as a class or function;</li>
 *   <li>{@link Kind#REDUCE}: {@code callable(*args)};</li>
 *   <li>{@link Kind#NEWOBJ}: {@code cls.__new__(cls, *args)};</li>
 *   <li>{@link Kind#NEWOBJ_EX}: {@code cls.__new__(cls, *args, **kwargs)};</li>
 * </ul>
 * followed, for the last three, by the steps pickle applies to the new object in this order: list
 * items appended ({@code APPENDS}), dict items set ({@code SETITEMS}) and a state
 * ({@code BUILD}, i.e. {@code __setstate__} or an update of {@code __dict__}).
 *
 * <p>For example a numpy dtype is {@code REDUCE} of the global {@code numpy.dtype} with args
 * {@code ('f8', False, True)} and the state {@code (3, '<', None, None, None, -1, -1, 0)}.
 *
 * <p>Objects are built step by step, as pickle does, so the item and state setters mutate this
 * object. Equality compares the whole recipe; the hash code uses the kind, the global's name and the
 * arguments (not the items and state set later), so that it stays the same while the object is
 * being built, and objects of one class made from different arguments ({@code Decimal('1.5')},
 * {@code Decimal('2')}) do not all share one hash code.
 */
public final class PyObject {

    /** How the object was created. */
    public enum Kind {
        /** A reference to a module-level name ({@code GLOBAL} / {@code STACK_GLOBAL}). */
        GLOBAL,
        /** A call of a callable with an argument tuple ({@code REDUCE}). */
        REDUCE,
        /** {@code cls.__new__(cls, *args)} ({@code NEWOBJ}). */
        NEWOBJ,
        /** {@code cls.__new__(cls, *args, **kwargs)} ({@code NEWOBJ_EX}). */
        NEWOBJ_EX
    }

    private final Kind kind;
    private final String module;
    private final String name;
    private final PyObject callable;
    private final PyTuple args;
    private final Map<Object, Object> kwargs;
    private final List<Object> listItems = new ArrayList<>();
    private final List<Map.Entry<Object, Object>> dictItems = new ArrayList<>();
    private boolean hasState;
    private Object state;

    private PyObject(Kind kind, String module, String name, PyObject callable, PyTuple args, Map<Object, Object> kwargs) {
        this.kind = kind;
        this.module = module;
        this.name = name;
        this.callable = callable;
        this.args = args;
        this.kwargs = kwargs;
    }

    /**
     * Creates a reference to a module-level name, as {@code pickle} writes a class or a function.
     *
     * @param module the module, e.g. {@code "numpy"}
     * @param name the (possibly dotted) name in the module, e.g. {@code "dtype"}
     * @return a reference to a module-level name, as {@code pickle} writes a class or a function
     */
    public static PyObject global(String module, String name) {
        return new PyObject(Kind.GLOBAL, Objects.requireNonNull(module, "module"), Objects.requireNonNull(name, "name"),
                null, PyTuple.of(), Map.of());
    }

    /**
     * Creates {@code callable(*args)}.
     *
     * @param callable what is called: usually a {@link Kind#GLOBAL}, possibly any object
     * @param args the arguments
     * @return {@code callable(*args)}
     */
    public static PyObject reduce(PyObject callable, PyTuple args) {
        return new PyObject(Kind.REDUCE, callable.module, callable.name, callable, Objects.requireNonNull(args, "args"), Map.of());
    }

    /**
     * Creates {@code cls.__new__(cls, *args)}.
     *
     * @param cls the class, usually a {@link Kind#GLOBAL}
     * @param args the arguments after {@code cls}
     * @return {@code cls.__new__(cls, *args)}
     */
    public static PyObject newObj(PyObject cls, PyTuple args) {
        return new PyObject(Kind.NEWOBJ, cls.module, cls.name, cls, Objects.requireNonNull(args, "args"), Map.of());
    }

    /**
     * Creates {@code cls.__new__(cls, *args, **kwargs)}.
     *
     * @param cls the class, usually a {@link Kind#GLOBAL}
     * @param args the positional arguments after {@code cls}
     * @param kwargs the keyword arguments (copied, in iteration order)
     * @return {@code cls.__new__(cls, *args, **kwargs)}
     */
    public static PyObject newObjEx(PyObject cls, PyTuple args, Map<?, ?> kwargs) {
        return new PyObject(Kind.NEWOBJ_EX, cls.module, cls.name, cls, Objects.requireNonNull(args, "args"),
                Collections.unmodifiableMap(new LinkedHashMap<>(kwargs)));
    }

    /**
     * Returns how the object was created.
     *
     * @return how the object was created
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the module of the global this object is, or was created through: for a
     * {@link Kind#GLOBAL} its own, otherwise that of its callable or class (followed back to a global).
     *
     * @return the module of the global this object is, or was created through: for a {@link Kind#GLOBAL} its own, otherwise that of its callable or class (followed back to a global)
     */
    public String module() {
        return module;
    }

    /**
     * Returns the name of the global this object is, or was created through (see {@link #module()}).
     *
     * @return the name of the global this object is, or was created through (see {@link #module()})
     */
    public String name() {
        return name;
    }

    /**
     * Tells whether this object is, or was created through, the global {@code module.name}.
     *
     * @param module the module, such as {@code "collections"}
     * @param name the name in the module (dotted for nested classes)
     * @return whether this object is, or was created through, the global {@code module.name}
     */
    public boolean is(String module, String name) {
        return this.module.equals(module) && this.name.equals(name);
    }

    /**
     * Returns the callable ({@link Kind#REDUCE}) or the class ({@code NEWOBJ}, {@code NEWOBJ_EX}); null for a global.
     *
     * @return the callable ({@link Kind#REDUCE}) or the class ({@code NEWOBJ}, {@code NEWOBJ_EX}); null for a global
     */
    public PyObject callable() {
        return callable;
    }

    /**
     * Returns the positional arguments; empty for a global.
     *
     * @return the positional arguments; empty for a global
     */
    public PyTuple args() {
        return args;
    }

    /**
     * Returns the keyword arguments of {@link Kind#NEWOBJ_EX} (unmodifiable); empty otherwise.
     *
     * @return the keyword arguments of {@link Kind#NEWOBJ_EX} (unmodifiable); empty otherwise
     */
    public Map<Object, Object> kwargs() {
        return kwargs;
    }

    /**
     * Returns the items appended to the object after its creation (unmodifiable view).
     *
     * @return the items appended to the object after its creation (unmodifiable view)
     */
    public List<Object> listItems() {
        return Collections.unmodifiableList(listItems);
    }

    /**
     * Returns the key-value pairs set on the object after its creation, in order (unmodifiable view).
     *
     * @return the key-value pairs set on the object after its creation, in order (unmodifiable view)
     */
    public List<Map.Entry<Object, Object>> dictItems() {
        return Collections.unmodifiableList(dictItems);
    }

    /**
     * Tells whether a state was set ({@code BUILD}); the state itself may be {@code None}.
     *
     * @return whether a state was set ({@code BUILD}); the state itself may be {@code None}
     */
    public boolean hasState() {
        return hasState;
    }

    /**
     * Returns the state passed to {@code BUILD}, or null when there is none (see {@link #hasState()}).
     *
     * @return the state passed to {@code BUILD}, or null when there is none (see {@link #hasState()})
     */
    public Object state() {
        return state;
    }

    /**
     * Appends items, as pickle's {@code APPENDS} does after creating the object.
     *
     * @param items the items, in order
     * @throws IllegalStateException for a global, which pickle never changes
     */
    public void appendItems(Collection<?> items) {
        requireBuilt();
        listItems.addAll(items);
    }

    /**
     * Sets a key to a value, as pickle's {@code SETITEMS} does after creating the object; pairs are
     * kept in order, repeated keys included.
     *
     * @param key the key
     * @param value the value
     * @throws IllegalStateException for a global, which pickle never changes
     */
    public void setItem(Object key, Object value) {
        requireBuilt();
        dictItems.add(new java.util.AbstractMap.SimpleImmutableEntry<>(key, value));
    }

    /**
     * Sets the state, as pickle's {@code BUILD} does.
     *
     * @param state the state, as pickle passes it to {@code __setstate__}
     * @throws IllegalStateException for a global, or if a state is already set
     */
    public void setState(Object state) {
        requireBuilt();
        if (hasState) {
            throw new IllegalStateException("the state of " + module + "." + name + " is already set");
        }
        this.state = state;
        this.hasState = true;
    }

    private void requireBuilt() {
        if (kind == Kind.GLOBAL) {
            throw new IllegalStateException("a global reference (" + module + "." + name + ") takes no items or state");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PyObject other
                && kind == other.kind
                && module.equals(other.module)
                && name.equals(other.name)
                && Objects.equals(callable, other.callable)
                && args.equals(other.args)
                && kwargs.equals(other.kwargs)
                && listItems.equals(other.listItems)
                && dictItems.equals(other.dictItems)
                && hasState == other.hasState
                && Objects.equals(state, other.state);
    }

    @Override
    public int hashCode() {
        return ((kind.ordinal() * 31 + module.hashCode()) * 31 + name.hashCode()) * 31 + args.hashCode();
    }

    /**
     * Returns the recipe: {@code numpy.dtype} for a global, {@code REDUCE numpy.dtype(f8, false, true)
     * state=(3, <, null, null, null, -1, -1, 0)} for a built object (values shown with their Java
     * {@code toString}).
     */
    @Override
    public String toString() {
        if (kind == Kind.GLOBAL) {
            return module + "." + name;
        }
        StringBuilder b = new StringBuilder(kind.name()).append(' ')
                .append(callable.kind == Kind.GLOBAL ? callable.toString() : "(" + callable + ")")
                .append(args);
        if (!kwargs.isEmpty()) {
            b.append(" kwargs=").append(kwargs);
        }
        if (!listItems.isEmpty()) {
            b.append(" items=").append(listItems);
        }
        if (!dictItems.isEmpty()) {
            b.append(" dictitems=").append(dictItems);
        }
        if (hasState) {
            b.append(" state=").append(state);
        }
        return b.toString();
    }
}
