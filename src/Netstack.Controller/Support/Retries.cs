namespace Netstack.Controller;

/// <summary>
/// Retries of the steps whose failure would otherwise leak until the next daemon start: address
/// and pool releases run after the owning record is gone, so nothing else would try them again
/// in this process (the start-up reconcile frees what no record holds).
/// </summary>
internal static class Retries
{
    // A store's transient failure (a busy database, an etcd leader change) passes in well under a second.
    private static readonly TimeSpan[] Delays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)];

    /// <summary>Runs <paramref name="step"/>, again after each delay while it fails; the last failure is thrown.</summary>
    public static async Task ReleaseAsync(Func<Task> step, TimeProvider time)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (attempt < Delays.Length)
            {
                await Task.Delay(Delays[attempt], time).ConfigureAwait(false);
            }
        }
    }
}
