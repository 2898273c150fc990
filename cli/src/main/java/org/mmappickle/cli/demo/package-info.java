/**
 * The demo of the main job: a hyperspectral timelapse capture into one file, an independent viewer process that
 * reports each frame as it lands, image registration that adds its results to the same file, and a check that
 * plain Python loads it. Run by {@code mmappickle demo}.
 */
package org.mmappickle.cli.demo;
