/**
 * Python values that have no exact Java counterpart: tuples, complex numbers, bytearrays,
 * frozensets, OrderedDicts, numpy scalars and opaque Python objects. See the README's type mapping
 * table.
 *
 * <p>In short, values read from a file are: {@code None} {@code null}; {@code bool}
 * {@link java.lang.Boolean}; {@code int} {@link java.lang.Integer}, {@link java.lang.Long} or
 * {@link java.math.BigInteger} by size; {@code float} {@link java.lang.Double}; {@code complex}
 * {@link org.mmappickle.py.PyComplex}; {@code str} {@link java.lang.String}; {@code bytes}
 * {@code byte[]}; {@code bytearray} {@link org.mmappickle.py.PyByteArray}; {@code list}
 * {@link java.util.ArrayList}; {@code tuple} {@link org.mmappickle.py.PyTuple}; {@code dict}
 * {@link java.util.LinkedHashMap}; {@code collections.OrderedDict}
 * {@link org.mmappickle.py.PyOrderedDict}; {@code set} {@link java.util.LinkedHashSet};
 * {@code frozenset} {@link org.mmappickle.py.PyFrozenSet}; {@code datetime.date},
 * {@code datetime}, {@code time}, {@code timedelta} and fixed {@code timezone} the
 * {@code java.time} types {@code LocalDate}, {@code LocalDateTime} or {@code OffsetDateTime},
 * {@code LocalTime} or {@code OffsetTime}, {@code Duration} and {@code ZoneOffset}; numpy scalars
 * {@link org.mmappickle.py.PyNumpyScalar}; anything else {@link org.mmappickle.py.PyObject}, which
 * writes back as it was read. Writing accepts the same types, plus {@code Byte}, {@code Short},
 * {@code Float}, {@code Character} and any {@code List}, {@code Map} or {@code Set}.
 */
package org.mmappickle.py;
