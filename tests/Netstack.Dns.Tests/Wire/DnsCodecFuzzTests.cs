using Netstack.Dns.Tests.Server;
using Netstack.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Dns.Tests.Wire;

/// <summary>
/// The DNS codec alone, on the server fuzz test's mutations of real queries and responses (noise,
/// truncation, bit flips, forged counts and lengths, compression loops): every input parses or is
/// refused with a <see cref="DnsFormatException"/>, nothing else escapes, no input allocates without
/// bound, and whatever parses encodes to bytes that parse again to the same encoding.
/// <c>NETSTACK_FUZZ_ITERATIONS</c> raises the count for the long run.
/// </summary>
public sealed class DnsCodecFuzzTests(ITestOutputHelper output)
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 30_000;

    [Fact]
    public void MutatedMessages_ParseOrFailWithFormatError_AndWhatParsesRoundTrips()
    {
        var seeds = FuzzTests.Seeds();
        var random = new Random(20261206);
        int parsed = 0, refused = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var packet = FuzzTests.Mutate(random, seeds);
            var before = GC.GetAllocatedBytesForCurrentThread();
            DnsMessage? message;
            try
            {
                message = DnsMessage.Parse(packet);
            }
            catch (DnsFormatException)
            {
                refused++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} parsing {Convert.ToHexStringLower(packet)}: {e}");
                return;
            }
            parsed++;
            var encoded = message.ToArray();
            var again = DnsMessage.Parse(encoded).ToArray();
            Assert.True(encoded.AsSpan().SequenceEqual(again), $"re-encoding is not stable for {Convert.ToHexStringLower(packet)}");
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 256 * 1024 + 256L * packet.Length, $"{allocated} bytes allocated for a {packet.Length}-byte message {Convert.ToHexStringLower(packet)}");
        }
        output.WriteLine($"{Iterations} messages: {parsed} parsed and round-tripped, {refused} refused");
        Assert.True(parsed > 0 && refused > 0, "the mutations reach both outcomes");
    }
}
