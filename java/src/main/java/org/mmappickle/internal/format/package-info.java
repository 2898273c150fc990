/**
 * The mmappickle file format (docs/format.md) as pure functions over bytes and {@code MemorySegment}s: the header,
 * entries and terminator, and the array value layouts; testable on heap segments without any native code.
 */
package org.mmappickle.internal.format;
