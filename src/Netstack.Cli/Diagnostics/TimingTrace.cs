using System.Diagnostics;
using System.Globalization;

namespace Netstack.Cli.Diagnostics;

/// <summary>
/// Opt-in start-up trace: with <c>NETSTACK_TRACE_TIMING=1</c> every phase of the call (entering Main,
/// command tree built, parsed, each request's connect / send / answer / body) is noted, and at exit
/// written to stderr as <c>netstack-timing PHASE +MS jit=METHODS/MS EPOCH_US</c>: milliseconds since
/// Main, methods the JIT compiled so far and its time, and the wall clock in microseconds since the
/// Unix epoch, so a script that noted its own clock before starting the process can also tell how
/// long the runtime took to reach Main (scenarios/bench/run-helpers/cli-phases.py). The lines are
/// kept in memory until then: writing each at once would put the console's own start-up into the
/// phase after the first one. Off by default, and then nothing but one environment read.
/// </summary>
internal static class TimingTrace
{
    public const string EnvironmentVariable = "NETSTACK_TRACE_TIMING";

    private static readonly long Start = Stopwatch.GetTimestamp();
    private static readonly List<string> Lines = [];

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>The sink for the API client's phases, or null when tracing is off.</summary>
    public static Action<string>? Sink => Enabled ? Mark : null;

    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }
        var since = Stopwatch.GetElapsedTime(Start).TotalMilliseconds;
        var epochUs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"netstack-timing {phase} +{since:F1} jit={System.Runtime.JitInfo.GetCompiledMethodCount()}/{System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}ms {epochUs}");
        lock (Lines)
        {
            Lines.Add(line);
        }
    }

    /// <summary>Writes the noted phases to stderr (at exit).</summary>
    public static void Flush()
    {
        if (!Enabled)
        {
            return;
        }
        lock (Lines)
        {
            foreach (var line in Lines)
            {
                Console.Error.WriteLine(line);
            }
            Lines.Clear();
        }
    }
}
