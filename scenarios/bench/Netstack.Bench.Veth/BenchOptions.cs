using System.Globalization;

namespace Netstack.Bench.Veth;

internal sealed record BenchOptions(int Pairs, int Rounds, int IpBatchRounds, int PerOpRounds)
{
    public static BenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new BenchOptions(1000, 5, 5, 1);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            var number = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--pairs" => options with { Pairs = number },
                "--rounds" => options with { Rounds = number },
                "--ip-rounds" => options with { IpBatchRounds = number },
                "--per-op-rounds" => options with { PerOpRounds = number },
                _ => throw new ArgumentException($"unknown option \"{args[i]}\""),
            };
            i++;
        }
        if (options.Pairs is < 1 or > 4000)
        {
            throw new ArgumentException($"--pairs {options.Pairs}: use 1..4000");
        }
        return options;
    }
}
