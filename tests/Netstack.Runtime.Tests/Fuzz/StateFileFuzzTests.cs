using System.Text;
using System.Text.Json;
using Netstack.Runtime.Containers;
using Netstack.Runtime.Runc;
using Netstack.Runtime.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Runtime.Tests.Fuzz;

/// <summary>
/// The files the runtime reads back after a crash or from runc: container and image records, runc's
/// state JSON and /proc/PID/stat lines, mutated from realistic seeds (cut short, bytes flipped,
/// values of the wrong type, huge numbers). The record loaders skip a file only on the exceptions
/// they catch (<see cref="JsonException"/>, <see cref="IOException"/>): anything else would stop the
/// daemon's start, so anything else is a failure here. The stat parser returns a value or null.
/// <c>NETSTACK_FUZZ_ITERATIONS</c> raises the count for the long run.
/// </summary>
public sealed class StateFileFuzzTests(ITestOutputHelper output)
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[] Records =
    [
        $$"""{"Id":"{{Id}}","Name":"web","Image":"busybox:latest","ImageId":"{{Id}}","Cmd":["httpd","-f"],"Env":["A=1"],"Hostname":"web","WorkingDir":"/","Created":"2026-12-03T10:00:00+00:00","State":1,"Pid":4242,"ExitCode":null}""",
        $$"""{"Id":"{{Id}}","Name":"db","Image":"busybox","ImageId":"{{Id}}","Hostname":"db","State":2,"Pid":0,"ExitCode":137,"Created":"2026-12-03T10:00:00Z"}""",
    ];

    private static readonly string[] ImageRecords =
    [
        $$"""{"Id":"{{Id}}","Tags":["busybox:latest","bb:1"],"Created":"2026-12-03T10:00:00+00:00","Size":1048576}""",
    ];

    private static readonly string[] RuncStates =
    [
        $$"""{"ociVersion":"1.0.2","id":"{{Id}}","pid":4242,"status":"running","bundle":"/run/netstack/bundles/{{Id}}","rootfs":"/x/rootfs","created":"2026-12-03T10:00:00.123456789Z","owner":""}""",
    ];

    private static readonly string[] Stats =
    [
        "4242 (httpd) S 4200 4242 4242 0 -1 4194560 120 0 0 0 0 0 0 0 20 0 1 0 987654 1400000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0",
        "17 (a (weird) name) R 1 17 17 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0 0",
        "99 (zombie) Z 1 99 99 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12 0 0 0",
    ];

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 10_000;

    [Fact]
    public void MutatedContainerImageAndRuncRecords_ReadOrJsonException()
    {
        var random = new Random(20261207);
        var read = 0;
        var refused = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var kind = i % 3;
            var seed = kind switch { 0 => Records[random.Next(Records.Length)], 1 => ImageRecords[0], _ => RuncStates[0] };
            var bytes = Mutate(random, seed);
            try
            {
                object? value = kind switch
                {
                    0 => JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.ContainerInfo),
                    1 => JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.ImageRecord),
                    _ => JsonSerializer.Deserialize(bytes, RuncJsonContext.Default.RuncState),
                };
                read++;
                _ = value?.ToString();
            }
            catch (JsonException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} reading {Encoding.UTF8.GetString(bytes)}: {e.Message}");
            }
        }
        output.WriteLine($"{Iterations} records: {read} read, {refused} refused");
        Assert.True(read > 0 && refused > 0, "the mutations reach both outcomes");
    }

    [Fact]
    public void MutatedProcStatLines_ParseToAValueOrNull()
    {
        var random = new Random(20261208);
        var values = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var line = Encoding.Latin1.GetString(Mutate(random, Stats[random.Next(Stats.Length)]));
            try
            {
                if (InitProcess.ParseStartTime(line) is not null)
                {
                    values++;
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} parsing \"{line}\": {e.Message}");
            }
        }
        output.WriteLine($"{Iterations} stat lines: {values} with a start time");
        Assert.True(values > 0);
    }

    private static byte[] Mutate(Random random, string seed)
    {
        var bytes = Encoding.UTF8.GetBytes(seed);
        switch (random.Next(6))
        {
            case 0:
                return bytes[..random.Next(bytes.Length + 1)];
            case 1:
                for (var f = random.Next(1, 5); f > 0; f--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                return bytes;
            case 2:
            {
                // A number replaced by something else: too big, negative, a string, an object.
                var text = seed;
                var digits = Enumerable.Range(0, text.Length).Where(p => char.IsAsciiDigit(text[p])).ToList();
                if (digits.Count == 0)
                {
                    return bytes;
                }
                var at = digits[random.Next(digits.Count)];
                var replacement = new[] { "99999999999999999999999", "-1", "\"x\"", "{}", "[]", "null", "1e400", "-0", ")" }[random.Next(9)];
                return Encoding.UTF8.GetBytes(text[..at] + replacement + text[(at + 1)..]);
            }
            case 3:
            {
                // A string value replaced by another type.
                var text = seed;
                var quote = text.IndexOf(":\"", random.Next(text.Length), StringComparison.Ordinal);
                if (quote < 0)
                {
                    return bytes;
                }
                var end = text.IndexOf('"', quote + 2);
                var replacement = new[] { "1", "null", "[]", "{\"a\":1}", "true", "\"\"" }[random.Next(6)];
                return end < 0 ? bytes : Encoding.UTF8.GetBytes(text[..(quote + 1)] + replacement + text[(end + 1)..]);
            }
            case 4:
                var noise = new byte[random.Next(0, 120)];
                random.NextBytes(noise);
                return noise;
            default:
                return [.. bytes, .. bytes[..random.Next(bytes.Length + 1)]];
        }
    }
}
