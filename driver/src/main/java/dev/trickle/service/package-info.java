/** The stream-table lifecycle: what each API command does to the catalog, storage and capture. */
package dev.trickle.service;
