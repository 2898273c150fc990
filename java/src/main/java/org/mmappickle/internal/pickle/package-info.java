/**
 * The pickle codec: a stack-machine {@link org.mmappickle.internal.pickle.Unpickler} for every
 * opcode of protocols 0 to 5 and a {@link org.mmappickle.internal.pickle.Pickler} that writes the
 * generic values of the mmappickle format (protocol 4 opcodes, compact memo), both over plain bytes
 * and without native code. Python values map to Java types through a closed table; nothing is ever
 * looked up by name or by reflection.
 */
package org.mmappickle.internal.pickle;
