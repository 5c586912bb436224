namespace Netstack.Linux;

internal static partial class Interop
{
    internal static class Libraries
    {
        // glibc; the runtime resolves "libc" to libc.so.6.
        internal const string Libc = "libc";

        // Debian's libpcap0.8 (the soname SharpPcap loads too, so both see the same pcap_t).
        internal const string Pcap = "libpcap.so.0.8";
    }
}
