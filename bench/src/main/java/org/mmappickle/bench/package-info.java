/** JMH benchmarks of mmappickle and the side-by-side comparison harness. */
package org.mmappickle.bench;
