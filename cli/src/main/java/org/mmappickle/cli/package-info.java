/**
 * The {@code mmappickle} command line: one picocli command per subcommand ({@code ls}, {@code info}, {@code dump},
 * {@code get}, {@code put}, {@code alloc}, {@code rm}, {@code export}, {@code import}, {@code watch}, {@code demo},
 * {@code selfcheck}), started by {@link org.mmappickle.cli.Main}. Every failure ends as one line on standard error
 * with exit status 1; bad usage as one line with status 2.
 */
package org.mmappickle.cli;
