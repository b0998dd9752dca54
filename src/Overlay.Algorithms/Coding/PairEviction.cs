namespace Overlay.Algorithms.Coding;

/// <summary>Called for a slot that falls out of a <see cref="PairWindow"/>; the window empties the slot afterwards.</summary>
internal delegate void PairEviction(int pair, ref PairSlot slot);
