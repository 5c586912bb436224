using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static partial class Interop
{
    /// <summary>
    /// libpcap's <c>struct pcap_stat</c> on Linux: three <c>u_int</c> (12 bytes), whatever the word size.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PcapStat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
    }

    [LibraryImport(Libraries.Pcap, EntryPoint = "pcap_stats")]
    internal static unsafe partial int PcapStats(nint pcap, PcapStat* stats);

    [LibraryImport(Libraries.Pcap, EntryPoint = "pcap_geterr")]
    internal static partial nint PcapGetErr(nint pcap);

    [LibraryImport(Libraries.Pcap, EntryPoint = "pcap_get_selectable_fd")]
    internal static partial int PcapGetSelectableFd(nint pcap);

    internal const short POLLIN = 0x001;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
