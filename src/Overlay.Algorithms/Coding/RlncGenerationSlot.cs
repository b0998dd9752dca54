namespace Overlay.Algorithms.Coding;

/// <summary>What a node holds of one generation: its id and the decoder (basis) reused from generation to generation.</summary>
internal struct RlncGenerationSlot
{
    public int Generation;
    public RlncDecoder? Decoder;
    public bool Delivered;
}
