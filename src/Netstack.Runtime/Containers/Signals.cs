using System.Globalization;

namespace Netstack.Runtime.Containers;

/// <summary>Signal names and numbers as <c>docker kill --signal</c> takes them.</summary>
public static class Signals
{
    // Linux x86-64 / arm64 numbering (signal(7)).
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13,
        ["ALRM"] = 14, ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19,
        ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25,
        ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>Returns the signal number for "SIGTERM", "TERM" or "15"; throws naming the bad value.</summary>
    public static int Parse(string signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var name = signal.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? signal[3..] : signal;
        if (Numbers.TryGetValue(name, out var number))
        {
            return number;
        }
        // 1-31 standard signals, 34-64 real-time signals (SIGRTMIN..SIGRTMAX as glibc reserves 32 and 33).
        if (int.TryParse(signal, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is (>= 1 and <= 31) or (>= 34 and <= 64))
        {
            return number;
        }
        throw RuntimeException.Invalid($"invalid signal \"{signal}\": use a name like SIGTERM or a number 1-64");
    }
}
