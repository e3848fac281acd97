/**
 * Prints one plain closing line after jest's own summary — `jest: N passed, N failed, N skipped` —
 * so that CI can read the counts whatever the runner.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
