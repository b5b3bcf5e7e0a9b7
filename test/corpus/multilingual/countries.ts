/**
 * Per-country facts for the multilingual corpus: cities and postal codes, street names and the local ways a
 * street line is written (street types and their abbreviations, house-number designators, unit parts), phone
 * numbering plans with national and international writing habits, mail providers, IBAN layouts, greetings with
 * titles and a few sentences per language as support agents write them. Facts only: nothing here knows how
 * postguard detects anything.
 */
import type { Faker } from '@faker-js/faker';

export type CC = 'US' | 'GB' | 'DE' | 'FR' | 'ES' | 'IT' | 'PT' | 'NL' | 'PL' | 'TR' | 'VN' | 'SE' | 'RU';
export const COUNTRIES: CC[] = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'PT', 'NL', 'PL', 'TR', 'VN', 'SE', 'RU'];

export interface City {
  city: string;
  /** The city as often written next to the postal code (e.g. "Kadıköy/İstanbul", "TP. Hồ Chí Minh"). */
  display?: string;
  postal: (f: Faker) => string;
  /** US state code, IT province code. */
  region?: string;
}

/** A street line: the value as the CRM holds it and the equivalent forms agents write. */
export interface StreetLine {
  csv: string;
  forms: string[];
  /** The street name alone (no number), for near-miss mails (same street, other house number). */
  street: string;
  /** The same street with a different house number, same writing style. */
  otherNumber: string;
}

const n = (f: Faker, min: number, max: number): number => f.number.int({ min, max });
const d = (f: Faker, k: number): string => f.string.numeric({ length: k, allowLeadingZeros: true });

export const CITIES: Record<CC, City[]> = {
  US: [
    { city: 'Springfield', region: 'IL', postal: (f) => '627' + d(f, 2) },
    { city: 'Portland', region: 'OR', postal: (f) => '972' + d(f, 2) },
    { city: 'Austin', region: 'TX', postal: (f) => '787' + d(f, 2) },
    { city: 'Columbus', region: 'OH', postal: (f) => '432' + d(f, 2) },
  ],
  GB: [
    { city: 'London', postal: (f) => f.helpers.arrayElement(['SW1A', 'E1', 'N7', 'SE15']) + ' ' + gbIn(f) },
    { city: 'Manchester', postal: (f) => f.helpers.arrayElement(['M1', 'M20']) + ' ' + gbIn(f) },
    { city: 'Leeds', postal: (f) => 'LS' + n(f, 1, 9) + ' ' + gbIn(f) },
    { city: 'Bristol', postal: (f) => 'BS' + n(f, 1, 9) + ' ' + gbIn(f) },
  ],
  DE: [
    { city: 'Berlin', postal: (f) => '10' + d(f, 3) },
    { city: 'München', postal: (f) => '80' + d(f, 3) },
    { city: 'Köln', postal: (f) => '50' + d(f, 3) },
    { city: 'Düsseldorf', postal: (f) => '40' + d(f, 3) },
  ],
  FR: [
    { city: 'Paris', postal: (f) => '750' + f.helpers.arrayElement(['01', '05', '11', '15', '18']) },
    { city: 'Lyon', postal: (f) => '6900' + n(f, 1, 9) },
    { city: 'Marseille', postal: (f) => '130' + f.helpers.arrayElement(['01', '06', '08']) },
    { city: 'Besançon', postal: () => '25000' },
  ],
  ES: [
    { city: 'Madrid', postal: (f) => '280' + d(f, 2) },
    { city: 'Barcelona', postal: (f) => '080' + d(f, 2) },
    { city: 'Sevilla', postal: (f) => '410' + d(f, 2) },
    { city: 'Málaga', postal: (f) => '290' + d(f, 2) },
  ],
  IT: [
    { city: 'Roma', region: 'RM', postal: (f) => '001' + d(f, 2) },
    { city: 'Milano', region: 'MI', postal: (f) => '201' + d(f, 2) },
    { city: 'Napoli', region: 'NA', postal: (f) => '801' + d(f, 2) },
    { city: 'Torino', region: 'TO', postal: (f) => '101' + d(f, 2) },
  ],
  PT: [
    { city: 'Lisboa', postal: (f) => `1${n(f, 0, 9)}00-${d(f, 3)}` },
    { city: 'Porto', postal: (f) => `4${n(f, 0, 4)}00-${d(f, 3)}` },
    { city: 'Coimbra', postal: (f) => `30${n(f, 0, 4)}0-${d(f, 3)}` },
    { city: 'Braga', postal: (f) => `470${n(f, 0, 9)}-${d(f, 3)}` },
  ],
  NL: [
    { city: 'Amsterdam', postal: (f) => `10${n(f, 11, 99)} ${f.string.fromCharacters('ABCEGHJKLMNPRSTVWXZ', 2)}` },
    { city: 'Rotterdam', postal: (f) => `30${n(f, 11, 89)} ${f.string.fromCharacters('ABCEGHJKLMNPRSTVWXZ', 2)}` },
    { city: 'Utrecht', postal: (f) => `35${n(f, 11, 85)} ${f.string.fromCharacters('ABCEGHJKLMNPRSTVWXZ', 2)}` },
    { city: 'Den Haag', postal: (f) => `25${n(f, 11, 99)} ${f.string.fromCharacters('ABCEGHJKLMNPRSTVWXZ', 2)}` },
  ],
  PL: [
    { city: 'Warszawa', postal: (f) => `0${n(f, 0, 4)}-${d(f, 3)}` },
    { city: 'Kraków', postal: (f) => `3${n(f, 0, 1)}-${d(f, 3)}` },
    { city: 'Gdańsk', postal: (f) => `80-${d(f, 3)}` },
    { city: 'Łódź', postal: (f) => `9${n(f, 0, 4)}-${d(f, 3)}` },
  ],
  TR: [
    { city: 'İstanbul', display: 'Kadıköy/İstanbul', postal: (f) => '347' + d(f, 2) },
    { city: 'Ankara', display: 'Çankaya/Ankara', postal: (f) => '066' + d(f, 2) },
    { city: 'İzmir', display: 'Karşıyaka/İzmir', postal: (f) => '355' + d(f, 2) },
    { city: 'Bursa', display: 'Nilüfer/Bursa', postal: (f) => '161' + d(f, 2) },
  ],
  VN: [
    { city: 'Hồ Chí Minh', display: 'TP. Hồ Chí Minh', postal: () => '700000' },
    { city: 'Hà Nội', display: 'Hà Nội', postal: () => '100000' },
    { city: 'Đà Nẵng', display: 'TP. Đà Nẵng', postal: () => '550000' },
    { city: 'Hải Phòng', display: 'TP. Hải Phòng', postal: () => '180000' },
  ],
  SE: [
    { city: 'Stockholm', postal: (f) => `1${n(f, 11, 19)} ${d(f, 2)}` },
    { city: 'Göteborg', postal: (f) => `4${n(f, 11, 17)} ${d(f, 2)}` },
    { city: 'Malmö', postal: (f) => `2${n(f, 11, 17)} ${d(f, 2)}` },
    { city: 'Uppsala', postal: (f) => `75${n(f, 1, 4)} ${d(f, 2)}` },
  ],
  RU: [
    { city: 'Москва', postal: (f) => '1' + n(f, 0, 2) + d(f, 4) },
    { city: 'Санкт-Петербург', postal: (f) => '19' + d(f, 4) },
    { city: 'Казань', postal: (f) => '420' + d(f, 3) },
    { city: 'Новосибирск', postal: (f) => '630' + d(f, 3) },
  ],
};

function gbIn(f: Faker): string {
  return n(f, 1, 9) + f.string.fromCharacters('ABDEFGHJLNPQRSTUWXYZ', 2);
}

const pick = <T>(f: Faker, xs: readonly T[]): T => f.helpers.arrayElement(xs);

/** [full street type, abbreviations] + names, per country; and how a line is built. */
export function makeStreet(f: Faker, cc: CC): StreetLine {
  switch (cc) {
    case 'US': {
      const [type, ab] = pick(f, [
        ['Street', 'St.'],
        ['Avenue', 'Ave'],
        ['Lane', 'Ln'],
        ['Boulevard', 'Blvd'],
        ['Road', 'Rd.'],
        ['Drive', 'Dr.'],
      ] as const);
      const name = pick(f, ['Oak', 'Maple', 'Cedar', 'Elm', 'Sunset', 'Lakeview', 'Hillcrest', 'Walnut']);
      const no = String(n(f, 10, 4999));
      const apt = f.datatype.boolean() ? `${n(f, 1, 9)}${pick(f, ['A', 'B', 'C'])}` : '';
      const csv = `${no} ${name} ${type}${apt ? `, Apt ${apt}` : ''}`;
      return {
        csv,
        street: `${name} ${type}`,
        otherNumber: `${Number(no) + 2} ${name} ${type}`,
        forms: [csv, `${no} ${name} ${ab}${apt ? ` Apt. ${apt}` : ''}`, `${no} ${name} ${ab}${apt ? ` #${apt}` : ''}`],
      };
    }
    case 'GB': {
      const [type, ab] = pick(f, [
        ['Street', 'St'],
        ['Road', 'Rd'],
        ['Lane', 'Ln'],
        ['Avenue', 'Ave'],
        ['Close', 'Cl'],
      ] as const);
      const name = pick(f, ['High', 'Church', 'Station', 'Mill', 'Victoria', 'Manor', 'Kings']);
      const no = String(n(f, 1, 180));
      const flat = f.datatype.boolean() ? String(n(f, 1, 12)) : '';
      const csv = `${flat ? `Flat ${flat}, ` : ''}${no} ${name} ${type}`;
      return {
        csv,
        street: `${name} ${type}`,
        otherNumber: `${Number(no) + 2} ${name} ${type}`,
        forms: [
          csv,
          `${flat ? `Flat ${flat}, ` : ''}${no} ${name} ${ab}`,
          `${no} ${name} ${type}${flat ? `, Flat ${flat}` : ''}`,
        ],
      };
    }
    case 'DE': {
      const name = pick(f, [
        'Lindenstraße',
        'Bahnhofstraße',
        'Schillerstraße',
        'Goethestraße',
        'Hauptstraße',
        'Bergstraße',
        'Rosenstraße',
      ]);
      const no = String(n(f, 1, 160));
      const letter = f.datatype.boolean() ? pick(f, ['a', 'b', 'c']) : '';
      const csv = `${name} ${no}${letter}`;
      return {
        csv,
        street: name,
        otherNumber: `${name} ${Number(no) + 2}`,
        forms: [
          csv,
          `${name.replace(/straße$/, 'str.')} ${no}${letter}`,
          `${name.replace(/straße$/, 'strasse')} ${no}${letter ? ' ' + letter.toUpperCase() : ''}`,
          `${name.replace(/straße$/, 'str.')} ${no}${letter.toUpperCase()}`,
        ],
      };
    }
    case 'FR': {
      const [type, ab] = pick(f, [
        ['rue', 'r.'],
        ['avenue', 'av.'],
        ['boulevard', 'bd'],
        ['allée', 'all.'],
        ['place', 'pl.'],
      ] as const);
      const name = pick(f, [
        'de la Paix',
        'Victor Hugo',
        'Voltaire',
        'des Écoles',
        'du Marché',
        'des Tilleuls',
        'Jean Jaurès',
      ]);
      const no = String(n(f, 1, 120));
      const suf = pick(f, ['bis', 'ter', '', '']);
      const csv = `${no}${suf ? ' ' + suf : ''} ${type} ${name}`;
      return {
        csv,
        street: `${type} ${name}`,
        otherNumber: `${Number(no) + 2} ${type} ${name}`,
        forms: [
          csv,
          `${no}${suf}, ${type} ${name}`,
          `${no}${suf ? ' ' + suf[0]!.toUpperCase() : ''} ${ab} ${name}`,
          `${no}${suf ? ' ' + suf : ''}, ${type.toUpperCase()} ${name.toUpperCase()}`,
        ],
      };
    }
    case 'ES': {
      const [type, ab, ab2] = pick(f, [
        ['Calle', 'C/', 'c/'],
        ['Avenida', 'Avda.', 'Av.'],
        ['Plaza', 'Pza.', 'Pl.'],
        ['Paseo', 'Pº', 'P.º'],
      ] as const);
      const name = pick(f, [
        'Mayor',
        'de la Constitución',
        'de Alcalá',
        'del Prado',
        'de Cervantes',
        'de Goya',
        'Real',
      ]);
      const no = String(n(f, 1, 240));
      const floor = n(f, 1, 8);
      const door = pick(f, ['A', 'B', 'C', 'D', 'izq.', 'dcha.']);
      const csv = `${type} ${name} ${no}, ${floor}º ${door}`;
      return {
        csv,
        street: `${type} ${name}`,
        otherNumber: `${type} ${name} ${Number(no) + 2}`,
        forms: [
          csv,
          `${ab} ${name}, ${no}, ${floor}º ${door}`,
          `${type} ${name}, nº ${no}, ${floor}º${door}`,
          `${ab2} ${name} ${no} ${floor}º ${door}`,
        ],
      };
    }
    case 'IT': {
      const [type, ab] = pick(f, [
        ['Via', 'V.'],
        ['Viale', 'V.le'],
        ['Piazza', 'P.za'],
        ['Corso', 'C.so'],
      ] as const);
      const name = pick(f, [
        'Roma',
        'Garibaldi',
        'Dante Alighieri',
        'Giuseppe Verdi',
        'della Repubblica',
        'Cavour',
        'Mazzini',
      ]);
      const no = String(n(f, 1, 200));
      const csv = `${type} ${name} ${no}`;
      return {
        csv,
        street: `${type} ${name}`,
        otherNumber: `${type} ${name} ${Number(no) + 2}`,
        forms: [csv, `${type} ${name}, ${no}`, `${ab} ${name} ${no}`, `${type} ${name} n. ${no}`],
      };
    }
    case 'PT': {
      const [type, ab] = pick(f, [
        ['Rua', 'R.'],
        ['Avenida', 'Av.'],
        ['Travessa', 'Tv.'],
        ['Largo', 'Lgo.'],
      ] as const);
      const name = pick(f, ['Augusta', 'da Liberdade', 'de Santa Catarina', 'Dom João IV', 'das Flores', 'do Carmo']);
      const no = String(n(f, 1, 300));
      const unit = pick(f, ['1º Esq.', '2º Dto.', '3º Esq.', 'R/C', '4º Dto.']);
      const csv = `${type} ${name} nº ${no}, ${unit}`;
      return {
        csv,
        street: `${type} ${name}`,
        otherNumber: `${type} ${name} nº ${Number(no) + 2}`,
        forms: [
          csv,
          `${ab} ${name}, ${no}, ${unit}`,
          `${type} ${name}, ${no} ${unit}`,
          `${ab} ${name} n.º ${no} ${unit}`,
        ],
      };
    }
    case 'NL': {
      const name = pick(f, [
        'Keizersgracht',
        'Dorpsstraat',
        'Kerkstraat',
        'Prinsengracht',
        'Stationsweg',
        'Julianalaan',
        'Molenstraat',
      ]);
      const no = String(n(f, 1, 400));
      const suf = pick(f, ['hs', '-A', '-2', ' II', 'B', '']);
      const csv = `${name} ${no}${suf.startsWith('-') || suf.startsWith(' ') || suf === '' ? suf : ' ' + suf}`;
      const alt =
        suf === 'hs'
          ? ` huis`
          : suf === '-A'
            ? 'A'
            : suf === '-2'
              ? ' 2'
              : suf === ' II'
                ? '-2'
                : suf === 'B'
                  ? '-B'
                  : '';
      return {
        csv,
        street: name,
        otherNumber: `${name} ${Number(no) + 2}`,
        forms: [csv, `${name.replace(/straat$/, 'str.')} ${no}${alt}`, `${name} ${no}${alt}`],
      };
    }
    case 'PL': {
      const [type, full] = pick(f, [
        ['ul.', 'ulica'],
        ['ul.', 'ulica'],
        ['al.', 'aleja'],
        ['pl.', 'plac'],
      ] as const);
      const name = pick(f, [
        'Marszałkowska',
        'Piotrkowska',
        'Długa',
        'Mickiewicza',
        'Słowackiego',
        'Kościuszki',
        'Wolności',
      ]);
      const no = String(n(f, 1, 150));
      const apt = String(n(f, 1, 60));
      const csv = `${type} ${name} ${no}/${apt}`;
      return {
        csv,
        street: `${type} ${name}`,
        otherNumber: `${type} ${name} ${Number(no) + 2}`,
        forms: [csv, `${full} ${name} ${no} m. ${apt}`, `${name} ${no}/${apt}`, `${type}${name} ${no} lok. ${apt}`],
      };
    }
    case 'TR': {
      const [type, ab, ab2] = pick(f, [
        ['Caddesi', 'Cad.', 'Cd.'],
        ['Sokak', 'Sok.', 'Sk.'],
        ['Bulvarı', 'Bulv.', 'Blv.'],
      ] as const);
      const name = pick(f, [
        'Atatürk',
        'İstiklal',
        'Bağdat',
        'Cumhuriyet',
        'Gazi Mustafa Kemal',
        'Menekşe',
        'Lale',
        'Şehit Ömer',
      ]);
      const mah = f.datatype.boolean() ? pick(f, ['Moda Mah. ', 'Bostancı Mah. ', 'Kızılay Mah. ']) : '';
      const no = String(n(f, 1, 180));
      const apt = String(n(f, 1, 24));
      const csv = `${mah}${name} ${ab} No: ${no} D: ${apt}`;
      return {
        csv,
        street: `${name} ${type}`,
        otherNumber: `${mah}${name} ${ab} No: ${Number(no) + 2}`,
        forms: [
          csv,
          `${mah.replace('Mah.', 'Mahallesi')}${name} ${type} No:${no} Daire:${apt}`,
          `${mah}${name} ${ab2} No:${no}/${apt}`,
          `${mah}${name} ${ab} No ${no} D ${apt}`,
        ],
      };
    }
    case 'VN': {
      const name = pick(f, [
        'Nguyễn Huệ',
        'Lê Lợi',
        'Trần Hưng Đạo',
        'Hai Bà Trưng',
        'Lý Thường Kiệt',
        'Điện Biên Phủ',
        'Võ Văn Tần',
      ]);
      const no = String(n(f, 1, 300));
      const csv = `Số ${no} ${name}`;
      return {
        csv,
        street: `đường ${name}`,
        otherNumber: `Số ${Number(no) + 2} ${name}`,
        forms: [csv, `${no} ${name}`, `số ${no}, đường ${name}`, `Số ${no} Đường ${name}`],
      };
    }
    case 'SE': {
      const name = pick(f, [
        'Storgatan',
        'Drottninggatan',
        'Kungsgatan',
        'Sveavägen',
        'Götgatan',
        'Linnégatan',
        'Vasagatan',
      ]);
      const no = String(n(f, 1, 120));
      const letter = f.datatype.boolean() ? pick(f, ['A', 'B']) : '';
      const lgh = f.datatype.boolean() ? ` lgh ${n(f, 11, 16)}0${n(f, 1, 4)}` : '';
      const csv = `${name} ${no}${letter}${lgh}`;
      return {
        csv,
        street: name,
        otherNumber: `${name} ${Number(no) + 2}`,
        forms: [
          csv,
          `${name.replace(/gatan$/, 'g.')} ${no}${letter}${lgh}`,
          `${name} ${no} ${letter}${lgh ? ',' + lgh : ''}`.replace(/ ,/, ',').replace(/ $/, ''),
        ],
      };
    }
    case 'RU': {
      const name = pick(f, ['Тверская', 'Ленина', 'Садовая', 'Пушкина', 'Гагарина', 'Мира']);
      const no = String(n(f, 1, 90));
      const apt = String(n(f, 1, 200));
      const csv = `ул. ${name}, д. ${no}, кв. ${apt}`;
      return {
        csv,
        street: `улица ${name}`,
        otherNumber: `ул. ${name}, д. ${Number(no) + 2}`,
        forms: [
          csv,
          `улица ${name}, дом ${no}, квартира ${apt}`,
          `ул. ${name} ${no}-${apt}`,
          `${name} ул., д. ${no}, кв. ${apt}`,
        ],
      };
    }
  }
}

/** Street lines a CRM holds that no address parser takes apart (issue class 10). */
export const ODD_STREETS: Partial<Record<CC, string[]>> = {
  GB: [
    'Rose Cottage',
    'The Old Rectory, Mill Lane',
    'Ivy House, Green End',
    'Flat 4, 12 High St',
    '123/A Kings Road',
    'Unit 7 Riverside Court',
  ],
  US: ['PO Box 4471', 'Rural Route 2 Box 118', '4B-1200 Lakeshore Dr'],
  DE: ['Haus Sonnenblick', 'Hinterhaus, 3. OG links', 'Gut Hohenfelde'],
  ES: ['Urbanización Los Pinos, parcela 14', 'Cortijo El Olivar', 'Finca La Solana s/n'],
  IT: ['Località Poggio, snc', 'Cascina Bianca'],
  PT: ['Quinta do Vale, Lote 7', 'Bloco C, Apto 302'],
  NL: ['Woonboot Zwanenburg', 'Boerderij De Hoeve'],
  PL: ['123/A', 'Osiedle Słoneczne 4/12', 'Kolonia 17'],
  TR: ['Güzelyalı Sitesi B Blok Daire 5', 'Çiftlik Evi 3'],
  FR: ['Lieu-dit Les Granges', 'Résidence Les Lilas, Bât. B'],
  SE: ['Lilla Gården', 'Box 2210'],
};

// ---- phones ----------------------------------------------------------------------------------------------

export const DIAL: Record<CC, string> = {
  US: '1',
  GB: '44',
  DE: '49',
  FR: '33',
  ES: '34',
  IT: '39',
  PT: '351',
  NL: '31',
  PL: '48',
  TR: '90',
  VN: '84',
  SE: '46',
  RU: '7',
};

/** National significant number of a mobile (or US geographic) number. */
export function makeNsn(f: Faker, cc: CC): string {
  const nz = (): string => f.string.numeric({ length: 1, exclude: ['0'] });
  switch (cc) {
    case 'US': {
      let exch: string;
      do exch = f.string.numeric({ length: 1, exclude: ['0', '1'] }) + d(f, 2);
      while (exch === '555' || exch.endsWith('11'));
      return pick(f, ['212', '312', '415', '617', '206', '503', '512']) + exch + d(f, 4);
    }
    case 'GB':
      return '7' + pick(f, ['7', '8', '9']) + nz() + d(f, 7);
    case 'DE':
      return pick(f, ['151', '152', '160', '170', '176', '157']) + nz() + d(f, 7);
    case 'FR':
      return pick(f, ['6', '7']) + nz() + d(f, 7);
    case 'ES':
      return pick(f, ['6', '7']) + nz() + d(f, 7);
    case 'IT':
      return '3' + pick(f, ['20', '28', '33', '35', '38', '40', '47', '49']) + d(f, 7);
    case 'PT':
      return '9' + pick(f, ['1', '2', '3', '6']) + d(f, 7);
    case 'NL':
      return '6' + nz() + d(f, 7);
    case 'PL':
      return pick(f, ['5', '6', '7', '8']) + pick(f, ['0', '1', '3']) + d(f, 7);
    case 'TR':
      return '5' + pick(f, ['32', '33', '35', '42', '44', '05', '06', '53']) + d(f, 7);
    case 'VN':
      return pick(f, ['90', '91', '93', '94', '98', '97', '86', '70', '77']) + d(f, 7);
    case 'SE':
      return '7' + pick(f, ['0', '2', '3', '6']) + d(f, 7);
    case 'RU':
      return '9' + pick(f, ['16', '26', '03', '05', '85', '99']) + d(f, 7);
  }
}

/** A phone as people write it, national or international, `v` selects a writing habit. */
export function formatPhone(cc: CC, nsn: string, style: 'national' | 'intl', v: number): string {
  const s = (a: number, b?: number): string => nsn.slice(a, b);
  const k = ((v % 3) + 3) % 3;
  switch (cc) {
    case 'US':
      return style === 'intl'
        ? [
            `+1 ${s(0, 3)} ${s(3, 6)} ${s(6)}`,
            `+1-${s(0, 3)}-${s(3, 6)}-${s(6)}`,
            `+1 (${s(0, 3)}) ${s(3, 6)}-${s(6)}`,
          ][k]!
        : [`(${s(0, 3)}) ${s(3, 6)}-${s(6)}`, `${s(0, 3)}-${s(3, 6)}-${s(6)}`, `${s(0, 3)}.${s(3, 6)}.${s(6)}`][k]!;
    case 'GB':
      return style === 'intl'
        ? [`+44 ${s(0, 4)} ${s(4)}`, `+44 (0)${s(0, 4)} ${s(4)}`, `0044 ${s(0, 4)} ${s(4)}`][k]!
        : [`0${s(0, 4)} ${s(4)}`, `0${s(0, 4)} ${s(4, 7)} ${s(7)}`, `0${nsn}`][k]!;
    case 'DE':
      return style === 'intl'
        ? [`+49 ${s(0, 3)} ${s(3)}`, `+49 (0)${s(0, 3)} ${s(3)}`, `0049 ${s(0, 3)} ${s(3)}`][k]!
        : [`0${s(0, 3)} ${s(3)}`, `0${s(0, 3)}/${s(3)}`, `0${s(0, 3)}-${s(3, 7)} ${s(7)}`][k]!;
    case 'FR': {
      const pairs = (sep: string): string => s(1).match(/../g)!.join(sep);
      return style === 'intl'
        ? [`+33 ${s(0, 1)} ${pairs(' ')}`, `+33 (0)${s(0, 1)} ${pairs(' ')}`, `+33${nsn}`][k]!
        : [`0${s(0, 1)} ${pairs(' ')}`, `0${s(0, 1)}.${pairs('.')}`, `0${nsn}`][k]!;
    }
    case 'ES':
      return style === 'intl'
        ? [`+34 ${s(0, 3)} ${s(3, 5)} ${s(5, 7)} ${s(7)}`, `0034 ${nsn}`, `+34 ${s(0, 3)} ${s(3, 6)} ${s(6)}`][k]!
        : [`${s(0, 3)} ${s(3, 6)} ${s(6)}`, nsn, `${s(0, 3)} ${s(3, 5)} ${s(5, 7)} ${s(7)}`][k]!;
    case 'IT':
      return style === 'intl'
        ? [`+39 ${s(0, 3)} ${s(3, 6)} ${s(6)}`, `+39 ${s(0, 3)} ${s(3)}`, `0039 ${s(0, 3)}-${s(3)}`][k]!
        : [`${s(0, 3)} ${s(3)}`, `${s(0, 3)}-${s(3)}`, `${s(0, 3)} ${s(3, 6)} ${s(6)}`][k]!;
    case 'PT':
      return style === 'intl'
        ? [`+351 ${s(0, 3)} ${s(3, 6)} ${s(6)}`, `+351 ${nsn}`, `00351 ${s(0, 3)} ${s(3, 6)} ${s(6)}`][k]!
        : [`${s(0, 3)} ${s(3, 6)} ${s(6)}`, nsn, `${s(0, 3)}-${s(3, 6)}-${s(6)}`][k]!;
    case 'NL':
      return style === 'intl'
        ? [`+31 6 ${s(1)}`, `+31 (0)6 ${s(1, 5)} ${s(5)}`, `0031 6 ${s(1, 3)} ${s(3, 5)} ${s(5, 7)} ${s(7)}`][k]!
        : [`06-${s(1)}`, `06 ${s(1, 5)} ${s(5)}`, `06 ${s(1, 3)} ${s(3, 5)} ${s(5, 7)} ${s(7)}`][k]!;
    case 'PL':
      return style === 'intl'
        ? [`+48 ${s(0, 3)} ${s(3, 6)} ${s(6)}`, `+48 ${s(0, 3)}-${s(3, 6)}-${s(6)}`, `+48${nsn}`][k]!
        : [`${s(0, 3)} ${s(3, 6)} ${s(6)}`, `${s(0, 3)}-${s(3, 6)}-${s(6)}`, nsn][k]!;
    case 'TR':
      return style === 'intl'
        ? [
            `+90 ${s(0, 3)} ${s(3, 6)} ${s(6, 8)} ${s(8)}`,
            `+90 (${s(0, 3)}) ${s(3, 6)} ${s(6, 8)} ${s(8)}`,
            `0090 ${s(0, 3)} ${s(3)}`,
          ][k]!
        : [`0${s(0, 3)} ${s(3, 6)} ${s(6, 8)} ${s(8)}`, `0 (${s(0, 3)}) ${s(3, 6)} ${s(6, 8)} ${s(8)}`, `0${nsn}`][k]!;
    case 'VN':
      return style === 'intl'
        ? [`+84 ${s(0, 3)} ${s(3, 6)} ${s(6)}`, `+84 ${s(0, 2)} ${s(2, 5)} ${s(5, 7)} ${s(7)}`, `(+84) ${nsn}`][k]!
        : [`0${s(0, 3)} ${s(3, 6)} ${s(6)}`, `0${s(0, 2)} ${s(2, 5)} ${s(5)}`, `0${s(0, 3)}.${s(3, 6)}.${s(6)}`][k]!;
    case 'SE':
      return style === 'intl'
        ? [`+46 ${s(0, 2)} ${s(2, 5)} ${s(5, 7)} ${s(7)}`, `+46 (0)${s(0, 2)}-${s(2)}`, `0046 ${nsn}`][k]!
        : [
            `0${s(0, 2)}-${s(2, 5)} ${s(5, 7)} ${s(7)}`,
            `0${s(0, 2)} ${s(2, 5)} ${s(5, 7)} ${s(7)}`,
            `0${s(0, 2)}-${s(2)}`,
          ][k]!;
    case 'RU':
      return style === 'intl'
        ? [`+7 ${s(0, 3)} ${s(3, 6)}-${s(6, 8)}-${s(8)}`, `+7 (${s(0, 3)}) ${s(3, 6)} ${s(6, 8)} ${s(8)}`, `+7${nsn}`][
            k
          ]!
        : [`8 (${s(0, 3)}) ${s(3, 6)}-${s(6, 8)}-${s(8)}`, `8 ${s(0, 3)} ${s(3, 6)} ${s(6, 8)} ${s(8)}`, `8${nsn}`][k]!;
  }
}

// ---- mail providers ---------------------------------------------------------------------------------------

/** Real providers per country, including providers' country domains (hotmail.be, gmx.at). */
export const EMAIL_DOMAINS: Record<CC, string[]> = {
  US: ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'aol.com', 'comcast.net'],
  GB: ['gmail.com', 'btinternet.com', 'hotmail.co.uk', 'yahoo.co.uk', 'sky.com'],
  DE: ['gmail.com', 'web.de', 'gmx.de', 't-online.de', 'gmx.at', 'gmx.ch', 'posteo.de'],
  FR: ['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'hotmail.fr', 'sfr.fr', 'wanadoo.fr'],
  ES: ['gmail.com', 'hotmail.es', 'yahoo.es', 'telefonica.net', 'outlook.es'],
  IT: ['gmail.com', 'libero.it', 'virgilio.it', 'alice.it', 'hotmail.it', 'tiscali.it'],
  PT: ['gmail.com', 'sapo.pt', 'hotmail.com', 'outlook.pt', 'gmail.com'],
  NL: ['gmail.com', 'hotmail.be', 'ziggo.nl', 'kpnmail.nl', 'live.nl', 'hotmail.nl', 'telenet.be'],
  PL: ['wp.pl', 'o2.pl', 'interia.pl', 'onet.pl', 'gmail.com'],
  TR: ['gmail.com', 'hotmail.com', 'yandex.com.tr', 'mynet.com', 'outlook.com.tr'],
  VN: ['gmail.com', 'yahoo.com.vn', 'gmail.com', 'outlook.com'],
  SE: ['gmail.com', 'telia.com', 'live.se', 'hotmail.se', 'bredband.net'],
  RU: ['yandex.ru', 'mail.ru', 'rambler.ru', 'gmail.com', 'bk.ru'],
};

/** Real small domains one edit away from a provider; some customers use them (near-miss deliver cases). */
export const NEAR_PROVIDER_DOMAINS: { domain: string; cc: CC }[] = [
  { domain: 'libera.it', cc: 'IT' },
  { domain: 'lime.nl', cc: 'NL' },
  { domain: 'orage.fr', cc: 'FR' },
  { domain: 'gmxx.de', cc: 'DE' },
  { domain: 'yahoo-inc.es', cc: 'ES' },
  { domain: 'onet.eu', cc: 'PL' },
];

/** IDN domains some customers (and a small company with several customers) use. */
export const IDN_DOMAINS: { domain: string; cc: CC }[] = [
  { domain: 'müller-shop.de', cc: 'DE' },
  { domain: 'bücher.example', cc: 'DE' },
  { domain: 'çiçekçi.com.tr', cc: 'TR' },
  { domain: 'łąka-sklep.pl', cc: 'PL' },
  { domain: 'café-lumière.fr', cc: 'FR' },
  { domain: 'peña-viajes.es', cc: 'ES' },
];

/** A company with several customers in the directory (a directory domain for the lookalike rule). */
export const COMPANY_DOMAIN = { domain: 'acme-werkzeuge.de', cc: 'DE' as CC };

// ---- IBAN -------------------------------------------------------------------------------------------------

/** ISO 13616 check digits for a country code and BBAN (mod 97-10, letters A=10 … Z=35). */
export function ibanCheck(cc: string, bban: string): string {
  const rearranged = (bban + cc + '00').toUpperCase().replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of rearranged) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}

function mod11Es(digits: string, weights: number[]): string {
  let s = 0;
  for (let i = 0; i < digits.length; i++) s += Number(digits[i]) * weights[i]!;
  const r = 11 - (s % 11);
  return String(r === 11 ? 0 : r === 10 ? 1 : r);
}

/** A valid BBAN (national checks included where banks have them: ES, FR, PL, PT). */
function bban(f: Faker, cc: CC): string | undefined {
  switch (cc) {
    case 'DE':
      return pick(f, ['37040044', '10010010', '50010517', '20041133', '70150000']) + d(f, 10);
    case 'GB':
      return pick(f, ['NWBK', 'BARC', 'LOYD', 'HBUK', 'MIDL']) + d(f, 6) + d(f, 8);
    case 'FR': {
      const bank = pick(f, ['20041', '30004', '30003', '10278', '30066']);
      const branch = d(f, 5);
      const account = d(f, 11);
      const key = 97 - Number((89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(account)) % 97n);
      return bank + branch + account + String(key).padStart(2, '0');
    }
    case 'ES': {
      const bb = pick(f, ['2100', '0049', '0182', '2080', '0081']) + d(f, 4);
      const acct = d(f, 10);
      return (
        bb + mod11Es('00' + bb, [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]) + mod11Es(acct, [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]) + acct
      );
    }
    case 'IT':
      return (
        f.string.fromCharacters('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) +
        pick(f, ['03069', '02008', '05034', '03062']) +
        d(f, 5) +
        d(f, 12)
      );
    case 'PT': {
      const body = pick(f, ['0035', '0033', '0007', '0010']) + d(f, 4) + d(f, 11);
      const rem = Number((BigInt(body) * 100n) % 97n);
      return body + String(98 - rem).padStart(2, '0');
    }
    case 'NL':
      return pick(f, ['ABNA', 'INGB', 'RABO', 'SNSB', 'TRIO']) + d(f, 10);
    case 'PL': {
      const bank7 = pick(f, ['1020', '1090', '1140', '1240', '1050']) + d(f, 3);
      const w = [3, 9, 7, 1, 3, 9, 7];
      let s = 0;
      for (let i = 0; i < 7; i++) s += Number(bank7[i]) * w[i]!;
      return bank7 + String((10 - (s % 10)) % 10) + d(f, 16);
    }
    case 'TR':
      return pick(f, ['00010', '00046', '00062', '00064', '00067']) + '0' + d(f, 16);
    case 'SE':
      return pick(f, ['500', '800', '600', '300']) + d(f, 17);
    default:
      return undefined;
  }
}

export function makeIban(f: Faker, cc: CC): string | undefined {
  const b = bban(f, cc);
  return b ? cc + ibanCheck(cc, b) + b : undefined;
}

/** Printed form: groups of four. */
export function printIban(iban: string, lower = false): string {
  const s = iban.replace(/(.{4})/g, '$1 ').trim();
  return lower ? s.toLowerCase() : s;
}

// ---- language -------------------------------------------------------------------------------------------

export type Lang = 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'nl' | 'pl' | 'tr' | 'vi' | 'sv' | 'ru';
export const LANG: Record<CC, Lang> = {
  US: 'en',
  GB: 'en',
  DE: 'de',
  FR: 'fr',
  ES: 'es',
  IT: 'it',
  PT: 'pt',
  NL: 'nl',
  PL: 'pl',
  TR: 'tr',
  VN: 'vi',
  SE: 'sv',
  RU: 'ru',
};

/** The legacy charset mail clients in this country still send with. */
export const LEGACY_CHARSET: Record<CC, string> = {
  US: 'windows-1252',
  GB: 'iso-8859-1',
  DE: 'iso-8859-15',
  FR: 'iso-8859-1',
  ES: 'windows-1252',
  IT: 'iso-8859-15',
  PT: 'iso-8859-1',
  NL: 'windows-1252',
  PL: 'iso-8859-2',
  TR: 'windows-1254',
  VN: 'windows-1258',
  SE: 'iso-8859-1',
  RU: 'koi8-r',
};

export interface Phrases {
  /** Formal greeting with title; `{t}` title, `{n}` name. */
  dearF: string;
  dearM: string;
  titleF: string;
  titleM: string;
  hi: string;
  thanks: string;
  shipTo: string;
  callback: string;
  refund: string;
  card: string;
  device: string;
  order: string;
  confirmation: string;
  regards: string;
  quoteHead: string;
  notice: string;
  viewOrder: string;
  unsubscribe: string;
  subjOrder: string;
  subjReturn: string;
  customer: string;
  total: string;
  tracking: string;
  from: string;
}

export const PHRASES: Record<Lang, Phrases> = {
  en: {
    dearF: 'Dear {t} {n},',
    dearM: 'Dear {t} {n},',
    titleF: 'Ms',
    titleM: 'Mr',
    hi: 'Hi {n},',
    thanks: 'thank you for contacting us.',
    shipTo: 'The parcel was sent to:',
    callback: 'We tried to call you on {x} but could not reach you.',
    refund: 'The refund will be paid to account {x}.',
    card: 'The payment with card {x} has been cancelled.',
    device: 'The device with IMEI {x} has been repaired.',
    order: 'Your order {x} is on its way.',
    confirmation: 'The confirmation was sent to {x}.',
    regards: 'Kind regards',
    quoteHead: 'On 13 May 2024, {x} wrote:',
    notice: 'Please note that our service hours change from Monday: we are available 8:00-18:00.',
    viewOrder: 'View your order',
    unsubscribe: 'Unsubscribe',
    subjOrder: 'Your order',
    subjReturn: 'Your return',
    customer: 'Customer',
    total: 'Total',
    tracking: 'Tracking number',
    from: 'from',
  },
  de: {
    dearF: 'Sehr geehrte {t} {n},',
    dearM: 'Sehr geehrter {t} {n},',
    titleF: 'Frau',
    titleM: 'Herr',
    hi: 'Hallo {n},',
    thanks: 'vielen Dank für Ihre Nachricht.',
    shipTo: 'Die Sendung ging an:',
    callback: 'Wir haben versucht, Sie unter {x} zu erreichen.',
    refund: 'Die Erstattung erfolgt auf das Konto {x}.',
    card: 'Die Zahlung mit der Karte {x} wurde storniert.',
    device: 'Das Gerät mit der IMEI {x} ist repariert.',
    order: 'Ihre Bestellung {x} ist unterwegs.',
    confirmation: 'Die Bestätigung ging an {x}.',
    regards: 'Mit freundlichen Grüßen',
    quoteHead: 'Am 13.05.2024 schrieb {x}:',
    notice: 'Bitte beachten Sie: Unsere Servicezeiten ändern sich ab Montag, wir sind von 8 bis 18 Uhr für Sie da.',
    viewOrder: 'Bestellung ansehen',
    unsubscribe: 'Abmelden',
    subjOrder: 'Ihre Bestellung',
    subjReturn: 'Ihre Rücksendung',
    customer: 'Kunde',
    total: 'Gesamtbetrag',
    tracking: 'Sendungsnummer',
    from: 'aus',
  },
  fr: {
    dearF: 'Bonjour {t} {n},',
    dearM: 'Bonjour {t} {n},',
    titleF: 'Mme',
    titleM: 'M.',
    hi: 'Bonjour {n},',
    thanks: 'merci pour votre message.',
    shipTo: 'Le colis a été envoyé à :',
    callback: 'Nous avons essayé de vous joindre au {x}.',
    refund: 'Le remboursement sera versé sur le compte {x}.',
    card: 'Le paiement par la carte {x} a été annulé.',
    device: "L'appareil avec l'IMEI {x} a été réparé.",
    order: 'Votre commande {x} est en route.',
    confirmation: 'La confirmation a été envoyée à {x}.',
    regards: 'Cordialement',
    quoteHead: 'Le 13 mai 2024, {x} a écrit :',
    notice: 'Veuillez noter que nos horaires changent à partir de lundi : nous sommes disponibles de 8h à 18h.',
    viewOrder: 'Voir votre commande',
    unsubscribe: 'Se désabonner',
    subjOrder: 'Votre commande',
    subjReturn: 'Votre retour',
    customer: 'Client',
    total: 'Total',
    tracking: 'Numéro de suivi',
    from: 'de',
  },
  es: {
    dearF: 'Estimada {t} {n}:',
    dearM: 'Estimado {t} {n}:',
    titleF: 'Sra.',
    titleM: 'Sr.',
    hi: 'Hola {n}:',
    thanks: 'gracias por contactar con nosotros.',
    shipTo: 'El paquete se envió a:',
    callback: 'Hemos intentado llamarle al {x} sin éxito.',
    refund: 'El reembolso se abonará en la cuenta {x}.',
    card: 'El pago con la tarjeta {x} ha sido anulado.',
    device: 'El dispositivo con IMEI {x} ya está reparado.',
    order: 'Su pedido {x} está en camino.',
    confirmation: 'La confirmación se envió a {x}.',
    regards: 'Atentamente',
    quoteHead: 'El 13 may 2024, {x} escribió:',
    notice: 'Le informamos de que nuestro horario cambia a partir del lunes: atendemos de 8:00 a 18:00.',
    viewOrder: 'Ver su pedido',
    unsubscribe: 'Darse de baja',
    subjOrder: 'Su pedido',
    subjReturn: 'Su devolución',
    customer: 'Cliente',
    total: 'Total',
    tracking: 'Número de seguimiento',
    from: 'de',
  },
  it: {
    dearF: 'Gentile {t} {n},',
    dearM: 'Gentile {t} {n},',
    titleF: 'Sig.ra',
    titleM: 'Sig.',
    hi: 'Ciao {n},',
    thanks: 'grazie per averci contattato.',
    shipTo: 'Il pacco è stato spedito a:',
    callback: 'Abbiamo provato a chiamarla al numero {x}.',
    refund: 'Il rimborso sarà accreditato sul conto {x}.',
    card: 'Il pagamento con la carta {x} è stato annullato.',
    device: 'Il dispositivo con IMEI {x} è stato riparato.',
    order: 'Il suo ordine {x} è in consegna.',
    confirmation: 'La conferma è stata inviata a {x}.',
    regards: 'Cordiali saluti',
    quoteHead: 'Il giorno 13 mag 2024, {x} ha scritto:',
    notice: 'Le ricordiamo che da lunedì il nostro orario cambia: siamo disponibili dalle 8 alle 18.',
    viewOrder: 'Visualizza ordine',
    unsubscribe: 'Annulla iscrizione',
    subjOrder: 'Il suo ordine',
    subjReturn: 'Il suo reso',
    customer: 'Cliente',
    total: 'Totale',
    tracking: 'Numero di tracciamento',
    from: 'di',
  },
  pt: {
    dearF: 'Exma. {t} {n},',
    dearM: 'Exmo. {t} {n},',
    titleF: 'Sra.',
    titleM: 'Sr.',
    hi: 'Olá {n},',
    thanks: 'obrigado pelo seu contacto.',
    shipTo: 'A encomenda foi enviada para:',
    callback: 'Tentámos ligar-lhe para o {x}, sem sucesso.',
    refund: 'O reembolso será feito para a conta {x}.',
    card: 'O pagamento com o cartão {x} foi anulado.',
    device: 'O equipamento com o IMEI {x} foi reparado.',
    order: 'A sua encomenda {x} está a caminho.',
    confirmation: 'A confirmação foi enviada para {x}.',
    regards: 'Com os melhores cumprimentos',
    quoteHead: 'Em 13/05/2024, {x} escreveu:',
    notice: 'Informamos que o nosso horário muda a partir de segunda-feira: atendemos das 8h às 18h.',
    viewOrder: 'Ver encomenda',
    unsubscribe: 'Cancelar subscrição',
    subjOrder: 'A sua encomenda',
    subjReturn: 'A sua devolução',
    customer: 'Cliente',
    total: 'Total',
    tracking: 'Número de seguimento',
    from: 'de',
  },
  nl: {
    dearF: 'Geachte {t} {n},',
    dearM: 'Geachte {t} {n},',
    titleF: 'mevrouw',
    titleM: 'heer',
    hi: 'Hoi {n},',
    thanks: 'bedankt voor uw bericht.',
    shipTo: 'Het pakket is verstuurd naar:',
    callback: 'We hebben geprobeerd u te bellen op {x}.',
    refund: 'De terugbetaling wordt overgemaakt naar rekening {x}.',
    card: 'De betaling met kaart {x} is geannuleerd.',
    device: 'Het toestel met IMEI {x} is gerepareerd.',
    order: 'Uw bestelling {x} is onderweg.',
    confirmation: 'De bevestiging is verstuurd naar {x}.',
    regards: 'Met vriendelijke groet',
    quoteHead: 'Op 13 mei 2024 schreef {x}:',
    notice: 'Let op: vanaf maandag veranderen onze openingstijden, we zijn bereikbaar van 8 tot 18 uur.',
    viewOrder: 'Bekijk uw bestelling',
    unsubscribe: 'Afmelden',
    subjOrder: 'Uw bestelling',
    subjReturn: 'Uw retour',
    customer: 'Klant',
    total: 'Totaal',
    tracking: 'Trackingnummer',
    from: 'uit',
  },
  pl: {
    dearF: 'Szanowna {t} {n},',
    dearM: 'Szanowny {t} {n},',
    titleF: 'Pani',
    titleM: 'Panie',
    hi: 'Dzień dobry {n},',
    thanks: 'dziękujemy za wiadomość.',
    shipTo: 'Paczka została wysłana na adres:',
    callback: 'Próbowaliśmy dodzwonić się pod numer {x}.',
    refund: 'Zwrot zostanie przelany na konto {x}.',
    card: 'Płatność kartą {x} została anulowana.',
    device: 'Urządzenie o numerze IMEI {x} zostało naprawione.',
    order: 'Zamówienie {x} jest w drodze.',
    confirmation: 'Potwierdzenie wysłaliśmy na adres {x}.',
    regards: 'Z poważaniem',
    quoteHead: 'W dniu 13.05.2024 {x} napisał(a):',
    notice: 'Uprzejmie informujemy, że od poniedziałku zmieniają się godziny pracy: jesteśmy dostępni od 8 do 18.',
    viewOrder: 'Zobacz zamówienie',
    unsubscribe: 'Wypisz się',
    subjOrder: 'Twoje zamówienie',
    subjReturn: 'Twój zwrot',
    customer: 'Klient',
    total: 'Razem',
    tracking: 'Numer przesyłki',
    from: 'z',
  },
  tr: {
    dearF: 'Sayın {n} {t},',
    dearM: 'Sayın {n} {t},',
    titleF: 'Hanım',
    titleM: 'Bey',
    hi: 'Merhaba {n},',
    thanks: 'mesajınız için teşekkür ederiz.',
    shipTo: 'Kargonuz şu adrese gönderildi:',
    callback: 'Sizi {x} numarasından aradık ancak ulaşamadık.',
    refund: 'İade tutarı {x} hesabına yatırılacaktır.',
    card: '{x} numaralı kartla yapılan ödeme iptal edildi.',
    device: 'IMEI numarası {x} olan cihaz onarıldı.',
    order: '{x} numaralı siparişiniz yolda.',
    confirmation: 'Onay e-postası {x} adresine gönderildi.',
    regards: 'Saygılarımızla',
    quoteHead: '13 May 2024 tarihinde {x} şunu yazdı:',
    notice: 'Pazartesiden itibaren çalışma saatlerimiz değişiyor: 8:00-18:00 arası hizmetinizdeyiz.',
    viewOrder: 'Siparişinizi görüntüleyin',
    unsubscribe: 'Abonelikten çık',
    subjOrder: 'Siparişiniz',
    subjReturn: 'İadeniz',
    customer: 'Müşteri',
    total: 'Toplam',
    tracking: 'Kargo takip numarası',
    from: '',
  },
  vi: {
    dearF: 'Kính gửi {t} {n},',
    dearM: 'Kính gửi {t} {n},',
    titleF: 'chị',
    titleM: 'anh',
    hi: 'Chào {n},',
    thanks: 'cảm ơn quý khách đã liên hệ với chúng tôi.',
    shipTo: 'Đơn hàng đã được gửi đến:',
    callback: 'Chúng tôi đã gọi cho quý khách qua số {x} nhưng không liên lạc được.',
    refund: 'Tiền hoàn sẽ được chuyển vào tài khoản {x}.',
    card: 'Thanh toán bằng thẻ {x} đã bị hủy.',
    device: 'Thiết bị có số IMEI {x} đã được sửa xong.',
    order: 'Đơn hàng {x} của quý khách đang được giao.',
    confirmation: 'Xác nhận đã được gửi tới {x}.',
    regards: 'Trân trọng',
    quoteHead: 'Vào ngày 13/05/2024, {x} đã viết:',
    notice: 'Xin lưu ý: từ thứ Hai, giờ làm việc của chúng tôi là 8:00-18:00.',
    viewOrder: 'Xem đơn hàng',
    unsubscribe: 'Hủy đăng ký',
    subjOrder: 'Đơn hàng của quý khách',
    subjReturn: 'Yêu cầu trả hàng',
    customer: 'Khách hàng',
    total: 'Tổng cộng',
    tracking: 'Mã vận đơn',
    from: 'ở',
  },
  sv: {
    dearF: 'Hej {n},',
    dearM: 'Hej {n},',
    titleF: '',
    titleM: '',
    hi: 'Hej {n},',
    thanks: 'tack för ditt meddelande.',
    shipTo: 'Paketet skickades till:',
    callback: 'Vi försökte ringa dig på {x} men nådde dig inte.',
    refund: 'Återbetalningen sker till konto {x}.',
    card: 'Betalningen med kortet {x} har makulerats.',
    device: 'Enheten med IMEI {x} har reparerats.',
    order: 'Din beställning {x} är på väg.',
    confirmation: 'Bekräftelsen skickades till {x}.',
    regards: 'Med vänliga hälsningar',
    quoteHead: 'Den 13 maj 2024 skrev {x}:',
    notice: 'Observera att våra öppettider ändras från måndag: vi finns här 8–18.',
    viewOrder: 'Visa din beställning',
    unsubscribe: 'Avregistrera',
    subjOrder: 'Din beställning',
    subjReturn: 'Din retur',
    customer: 'Kund',
    total: 'Summa',
    tracking: 'Spårningsnummer',
    from: 'från',
  },
  ru: {
    dearF: 'Уважаемая {n},',
    dearM: 'Уважаемый {n},',
    titleF: '',
    titleM: '',
    hi: 'Здравствуйте, {n}!',
    thanks: 'спасибо за ваше обращение.',
    shipTo: 'Посылка отправлена по адресу:',
    callback: 'Мы пытались дозвониться вам по номеру {x}.',
    refund: 'Возврат будет перечислен на счёт {x}.',
    card: 'Оплата картой {x} отменена.',
    device: 'Устройство с IMEI {x} отремонтировано.',
    order: 'Ваш заказ {x} в пути.',
    confirmation: 'Подтверждение отправлено на {x}.',
    regards: 'С уважением',
    quoteHead: '13.05.2024 {x} написал(а):',
    notice: 'Обратите внимание: с понедельника мы работаем с 8:00 до 18:00.',
    viewOrder: 'Посмотреть заказ',
    unsubscribe: 'Отписаться',
    subjOrder: 'Ваш заказ',
    subjReturn: 'Ваш возврат',
    customer: 'Клиент',
    total: 'Итого',
    tracking: 'Трек-номер',
    from: 'из',
  },
};

/** The organisation's own contact block per country: never customer data. */
export const ORG: Record<CC, { line: string; phone: string; iban?: string }> = {
  US: { line: 'Example Shop Inc. · 1 Commerce Plaza, Suite 400, Springfield, IL 62701', phone: '+1 800 555 0142' },
  GB: { line: 'Example Shop Ltd · 20 Fenchurch Avenue, London EC3M 5BT', phone: '+44 20 7946 0321' },
  DE: {
    line: 'Example Shop GmbH · Friedrichstraße 68, 10117 Berlin',
    phone: 'Tel. +49 30 2360 8800',
    iban: 'DE02 1001 0010 0006 8201 01',
  },
  FR: { line: 'Example Shop SAS · 8 place Vendôme, 75001 Paris', phone: '+33 1 84 88 06 50' },
  ES: { line: 'Example Shop S.L. · Paseo de la Castellana 95, planta 15, 28046 Madrid', phone: '+34 910 60 70 80' },
  IT: { line: 'Example Shop S.r.l. · Corso Buenos Aires 33, 20124 Milano (MI)', phone: '+39 02 3056 1200' },
  PT: { line: 'Example Shop Lda. · Avenida da República 50, 1050-196 Lisboa', phone: '+351 213 504 400' },
  NL: { line: 'Example Shop B.V. · Herengracht 420, 1017 BZ Amsterdam', phone: '+31 20 808 1234' },
  PL: { line: 'Example Shop Sp. z o.o. · ul. Prosta 20, 00-850 Warszawa', phone: '+48 22 395 00 00' },
  TR: { line: 'Example Shop A.Ş. · Büyükdere Cad. No: 199 Levent, 34394 Şişli/İstanbul', phone: '+90 212 705 00 00' },
  VN: { line: 'Example Shop Co., Ltd · Tầng 12, Số 2 Ngô Đức Kế, Quận 1, TP. Hồ Chí Minh', phone: '+84 28 3822 0000' },
  SE: { line: 'Example Shop AB · Regeringsgatan 29, 111 53 Stockholm', phone: '+46 8 505 800 00' },
  RU: { line: 'ООО «Пример Шоп» · 125009, г. Москва, Большая Никитская ул., д. 17', phone: '+7 495 660 00 00' },
};

/** Order id styles of different CRMs/shops, per country. */
export function makeOrderId(f: Faker, cc: CC): string {
  switch (cc) {
    case 'US':
      return `ORD-${d(f, 7)}`;
    case 'GB':
      return `SO-2024-${d(f, 6)}`;
    case 'DE':
      return f.datatype.boolean() ? `BST-${d(f, 7)}` : `A-2024-${d(f, 6)}`;
    case 'FR':
      return `CMD-${d(f, 8)}`;
    case 'ES':
      return `PED-2024-${d(f, 6)}`;
    case 'IT':
      return `ORD/2024/${d(f, 6)}`;
    case 'PT':
      return `ENC-${d(f, 7)}`;
    case 'NL':
      return `NL-${f.string.alpha({ length: 2, casing: 'upper' })}-${d(f, 6)}`;
    case 'PL':
      return `ZAM/2024/${d(f, 6)}`;
    case 'TR':
      return `SIP-${d(f, 9)}`;
    case 'VN':
      return `DH${d(f, 8)}`;
    case 'SE':
      return `SE-${d(f, 8)}`;
    case 'RU':
      return `RU-${d(f, 4)}-${d(f, 4)}`;
  }
}
