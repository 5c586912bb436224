using System.Runtime.InteropServices;

namespace Netstack.Linux;

/// <summary>
/// The kernel's counters of a libpcap capture, read with <c>pcap_stats</c> (which on Linux asks the
/// packet socket for <c>PACKET_STATISTICS</c>: the kernel clears them on each read, libpcap adds them up).
/// <see cref="Received"/> counts every frame that passed the filter, those the kernel then
/// <see cref="Dropped"/> because the ring had no room included (the kernel adds <c>tp_drops</c> to
/// <c>tp_packets</c>); so what reached the ring is <c>Received - Dropped</c>.
/// </summary>
/// <remarks>
/// Read here rather than through SharpPcap's <c>Statistics</c>: SharpPcap 6.3 lays
/// <c>struct pcap_stat</c> out as three pointer-sized fields, so on 64-bit Linux its "dropped" is
/// really <c>ps_ifdrop</c> (always 0 for a packet socket) and the kernel's drops are never seen.
/// </remarks>
public readonly record struct PcapCounters(long Received, long Dropped, long InterfaceDropped)
{
    /// <summary>Counters of the open <c>pcap_t*</c> <paramref name="pcap"/> (e.g. SharpPcap's <c>Handle</c>).</summary>
    /// <exception cref="InvalidOperationException">libpcap could not read them; its reason is in the message.</exception>
    public static unsafe PcapCounters Read(SafeHandle pcap)
    {
        ArgumentNullException.ThrowIfNull(pcap);
        var added = false;
        pcap.DangerousAddRef(ref added);
        try
        {
            Interop.PcapStat stat;
            var handle = pcap.DangerousGetHandle();
            if (Interop.PcapStats(handle, &stat) != 0)
            {
                throw new InvalidOperationException("pcap_stats: " + Marshal.PtrToStringUTF8(Interop.PcapGetErr(handle)));
            }
            return new PcapCounters(stat.Received, stat.Dropped, stat.InterfaceDropped);
        }
        finally
        {
            if (added)
            {
                pcap.DangerousRelease();
            }
        }
    }
}
