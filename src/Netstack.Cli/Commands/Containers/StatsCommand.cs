using System.CommandLine;
using System.Globalization;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Cli.Output;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>stats [--no-stream] [-a] [CONTAINER...]</c>: docker's columns (CONTAINER ID, NAME, CPU %, MEM
/// USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS), computed from the engine's stats as the docker
/// CLI computes them. Without names, the running containers (every one with <c>-a</c>).
/// </summary>
internal static class StatsCommand
{
    internal static readonly Option<bool> NoStream = new("--no-stream") { Description = "Print one reading and exit" };
    internal static readonly Option<bool> All = new("--all", "-a") { Description = "Show all containers (default shows just running)" };
    internal static readonly Argument<string[]> Containers = new("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("stats", "Display a live stream of container resource usage statistics") { NoStream, All, Containers };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var names = parse.GetValue(Containers) ?? [];
            IReadOnlyList<string> targets = names.Length > 0
                ? names
                : [.. (await client.ListContainersAsync(parse.GetValue(All), ct).ConfigureAwait(false)).Select(c => c.Id)];
            if (parse.GetValue(NoStream))
            {
                // One reading each, asked at once: each takes the daemon's one-second interval.
                var readings = await Task.WhenAll(targets.Select(t => client.StatsAsync(t, ct))).ConfigureAwait(false);
                Render(readings).WriteTo(output);
                return 0;
            }
            var latest = new ContainerStatsResponse?[targets.Count];
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var streams = targets.Select((t, i) => FollowAsync(client, t, latest, i, cancel.Token)).ToList();
            var redraw = !Console.IsOutputRedirected;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    if (streams.FirstOrDefault(s => s.IsFaulted) is { } failed)
                    {
                        await failed.ConfigureAwait(false);
                    }
                    if (redraw)
                    {
                        // Clear the screen and go home, as docker stats redraws its table.
                        await output.WriteAsync("\u001b[2J\u001b[H").ConfigureAwait(false);
                    }
                    Render([.. latest.OfType<ContainerStatsResponse>()]).WriteTo(output);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            await cancel.CancelAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task FollowAsync(ApiClient client, string target, ContainerStatsResponse?[] latest, int index, CancellationToken ct)
    {
        try
        {
            await foreach (var stats in client.StatsStreamAsync(target, ct).ConfigureAwait(false))
            {
                latest[index] = stats;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    internal static TableWriter Render(IEnumerable<ContainerStatsResponse> readings)
    {
        var table = new TableWriter("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        foreach (var s in readings)
        {
            var memory = MemoryUsage(s.MemoryStats);
            var limit = (double)s.MemoryStats.Limit;
            var (rx, tx) = (s.Networks ?? []).Values.Aggregate((0.0, 0.0), (sum, n) => (sum.Item1 + n.RxBytes, sum.Item2 + n.TxBytes));
            var (read, write) = (s.BlkioStats.IoServiceBytesRecursive ?? []).Aggregate((0.0, 0.0), (sum, e) =>
                e.Op.Length > 0 && char.ToLowerInvariant(e.Op[0]) == 'r' ? (sum.Item1 + e.Value, sum.Item2)
                : e.Op.Length > 0 && char.ToLowerInvariant(e.Op[0]) == 'w' ? (sum.Item1, sum.Item2 + e.Value) : sum);
            table.Add(
                ShortId.Of(s.Id),
                s.Name.TrimStart('/'),
                Percent(CpuPercent(s)),
                $"{BinarySize(memory)} / {BinarySize(limit)}",
                Percent(limit > 0 ? memory / limit * 100 : 0),
                $"{DecimalSize(rx)} / {DecimalSize(tx)}",
                $"{DecimalSize(read)} / {DecimalSize(write)}",
                s.PidsStats.Current.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    /// <summary>The docker CLI's CPU %: the container's share of the host's CPU time over the interval, times the CPUs online.</summary>
    internal static double CpuPercent(ContainerStatsResponse s)
    {
        var cpuDelta = (double)s.CpuStats.CpuUsage.TotalUsage - s.PreCpuStats.CpuUsage.TotalUsage;
        var systemDelta = (double)s.CpuStats.SystemCpuUsage - s.PreCpuStats.SystemCpuUsage;
        var online = s.CpuStats.OnlineCpus > 0 ? s.CpuStats.OnlineCpus : s.CpuStats.CpuUsage.PercpuUsage?.Count ?? 0;
        return systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * online * 100 : 0;
    }

    /// <summary>The docker CLI's memory usage: without the inactive page cache (v1 total_inactive_file, v2 inactive_file).</summary>
    internal static double MemoryUsage(MemoryStats m)
    {
        var stats = m.Stats ?? [];
        if (stats.TryGetValue("total_inactive_file", out var v1) && v1 < m.Usage)
        {
            return m.Usage - v1;
        }
        return stats.TryGetValue("inactive_file", out var v2) && v2 < m.Usage ? m.Usage - v2 : m.Usage;
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>Sizes as docker's go-units prints them: powers of 1024 for memory (MiB, GiB), of 1000 for traffic (kB, MB).</summary>
    internal static string BinarySize(double bytes) => Size(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]);

    internal static string DecimalSize(double bytes) => Size(bytes, 1000, ["B", "kB", "MB", "GB", "TB", "PB"]);

    private static string Size(double bytes, double unit, string[] names)
    {
        var i = 0;
        while (bytes >= unit && i < names.Length - 1)
        {
            bytes /= unit;
            i++;
        }
        // go-units' HumanSize: "%.4g", four significant digits.
        return bytes.ToString("G4", CultureInfo.InvariantCulture) + names[i];
    }
}
