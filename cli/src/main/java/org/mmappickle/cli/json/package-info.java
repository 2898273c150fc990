/**
 * Tagged JSON: the text form of Python values that the test vectors' manifests and the command line's
 * {@code --json} use, converted both ways between the library's Java values and Jackson trees, and
 * written byte for byte as Python's {@code json.dump(obj, f, ensure_ascii=False)} writes it. See
 * {@link org.mmappickle.cli.json.TaggedJson}.
 */
package org.mmappickle.cli.json;
