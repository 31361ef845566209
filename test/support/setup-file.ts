import { installRuntimeLogger } from '../../src/temporal/quiet-runtime';

// Worker state changes at INFO drown test output; warnings and errors still show.
installRuntimeLogger('WARN');
