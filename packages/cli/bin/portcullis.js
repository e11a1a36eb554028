#!/usr/bin/env node
// The installed `portcullis` command: the built CLI in dist/. This file exists before a build, so
// installing the workspace links the command without a warning.
import '../dist/bin.js';
