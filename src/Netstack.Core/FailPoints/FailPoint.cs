using System.Diagnostics;
using System.Globalization;

namespace Netstack.Core.FailPoints;

/// <summary>
/// Test-only hooks at named steps (<see cref="FailPointNames"/>), compiled in and off unless the
/// environment variable <c>NETSTACK_FAILPOINT</c> names them when the process starts:
/// <c>NAME[:crash|:error][@N][,NAME...]</c> (crash by default; @N fires at the Nth time the step is
/// reached, the first by default). Each armed point fires once. When none is armed, <see cref="Hit"/>
/// is one test of a static read-only field, which the JIT folds away.
/// </summary>
public static class FailPoint
{
    public const string EnvironmentVariable = "NETSTACK_FAILPOINT";

    private static readonly Setting? Settings = Setting.Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>True when the environment armed at least one fail point (or named one badly).</summary>
    public static bool Enabled => Settings is not null;

    /// <summary>What the environment asked for, for the daemon's start-up log; null when nothing is armed.</summary>
    public static string? Description => Settings?.Error ?? (Settings is null ? null : string.Join(", ", Settings.Points.Select(p => p.ToString())));

    /// <summary>The parse error of the environment variable (an unknown name, a bad mode), or null; the daemon refuses to start with one.</summary>
    public static string? Error => Settings?.Error;

    /// <summary>The step <paramref name="name"/> is reached: an armed point kills the process or throws <see cref="FailPointException"/>.</summary>
    public static void Hit(string name)
    {
        if (Settings is null)
        {
            return;
        }
        Fire(Settings, name);
    }

    private static void Fire(Setting settings, string name)
    {
        var point = settings.Points.FirstOrDefault(p => p.Name == name);
        if (point is null || Interlocked.Increment(ref point.Hits) != point.At)
        {
            return;
        }
        // stderr is unbuffered: the line is out before the kill, so a test knows the step was reached.
        Console.Error.WriteLine($"netstackd: fail point {name} fired ({point.Mode.ToString().ToLowerInvariant()}, hit {point.At})");
        if (point.Mode == FailPointMode.Error)
        {
            throw new FailPointException(name);
        }
        // A real SIGKILL of our own pid (Process.Kill is kill(pid, SIGKILL) on Linux): unlike
        // Environment.FailFast nothing runs after it, not even the runtime's own shutdown.
        using (var self = Process.GetCurrentProcess())
        {
            self.Kill();
        }
        Thread.Sleep(Timeout.Infinite);
    }

    private sealed class Armed(string name, FailPointMode mode, int at)
    {
        public string Name { get; } = name;

        public FailPointMode Mode { get; } = mode;

        public int At { get; } = at;

        public int Hits;

        public override string ToString() => $"{Name}:{Mode.ToString().ToLowerInvariant()}@{At.ToString(CultureInfo.InvariantCulture)}";
    }

    private sealed class Setting
    {
        public List<Armed> Points { get; } = [];

        public string? Error { get; private set; }

        public static Setting? Parse(string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }
            var setting = new Setting();
            foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var text = item;
                var at = 1;
                var hash = text.IndexOf('@', StringComparison.Ordinal);
                if (hash >= 0)
                {
                    if (!int.TryParse(text.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out at) || at < 1)
                    {
                        setting.Error = $"{EnvironmentVariable}: \"{item}\": the hit after @ is a number from 1";
                        return setting;
                    }
                    text = text[..hash];
                }
                var mode = FailPointMode.Crash;
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0)
                {
                    switch (text[(colon + 1)..])
                    {
                        case "crash":
                            mode = FailPointMode.Crash;
                            break;
                        case "error":
                            mode = FailPointMode.Error;
                            break;
                        default:
                            setting.Error = $"{EnvironmentVariable}: \"{item}\": the mode is crash or error";
                            return setting;
                    }
                    text = text[..colon];
                }
                if (!FailPointNames.All.Contains(text, StringComparer.Ordinal))
                {
                    setting.Error = $"{EnvironmentVariable}: \"{text}\" is not a fail point (see FailPointNames)";
                    return setting;
                }
                setting.Points.Add(new Armed(text, mode, at));
            }
            return setting;
        }
    }
}
