using Netstack.Bench.Veth;

// netstack-bench-veth bench [--pairs N] [--rounds R] [--ip-rounds R] [--per-op-rounds R]
// netstack-bench-veth demo up|down PREFIX
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: bench [--pairs 1000] [--rounds 5] [--ip-rounds 5] [--per-op-rounds 1] | demo up|down PREFIX");
    return 2;
}

try
{
    switch (args[0])
    {
        case "bench":
            var options = BenchOptions.Parse(args.AsSpan(1));
            return VethBenchmark.Run(options);
        case "demo" when args.Length == 3 && args[1] == "up":
            Demo.Up(args[2]);
            return 0;
        case "demo" when args.Length == 3 && args[1] == "down":
            return Demo.Down(args[2]);
        default:
            Console.Error.WriteLine($"unknown command \"{string.Join(' ', args)}\"");
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
