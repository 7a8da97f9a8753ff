/** The stream-table API commands and their recognizer (function-call form and DDL form). */
package dev.trickle.rewriter.command;
