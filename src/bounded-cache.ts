/** A cache that forgets everything when full: cheap, and bounded (the import's lookups would otherwise grow with the bill). */
export class BoundedCache<V> {
  private map = new Map<string, V>()
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key)
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map.clear()
    this.map.set(key, value)
  }
}
