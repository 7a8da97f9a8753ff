/** IMMEDIATE mode: trigger programs that maintain a stream table inside the writing transaction. */
package dev.trickle.immediate;
