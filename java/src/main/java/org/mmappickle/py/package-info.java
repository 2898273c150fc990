/**
 * Python values that have no exact Java counterpart: tuples, complex numbers, bytearrays,
 * frozensets, numpy scalars and opaque Python objects. See the README's type mapping table.
 */
package org.mmappickle.py;
